// Reads one JSON request on stdin, answers one JSON object on stdout. All integers are decimal strings.
// Request:
//   { "n", "p", "q"                       MedSecure's key (g = n + 1)
//     "encrypt": [m...]                   residues in [0, n) to encrypt under that key with paillier-bigint
//     "decrypt": [c...]                   MedSecure ciphertexts to decrypt with paillier-bigint
//     "sum": [c...]                       MedSecure ciphertexts to add homomorphically with paillier-bigint
//     "scale": { "c", "k" }               a MedSecure ciphertext to multiply by k with paillier-bigint
//     "generateBits": 2048, "generatedEncrypt": [m...] }  paillier-bigint's own key and ciphertexts
import * as paillier from 'paillier-bigint';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const n = BigInt(request.n);
const p = BigInt(request.p);
const q = BigInt(request.q);
const publicKey = new paillier.PublicKey(n, n + 1n);
const lambda = (p - 1n) * (q - 1n);
const mu = modInverse(lambda, n); // with g = n + 1, L(g^λ mod n²) = λ mod n
const privateKey = new paillier.PrivateKey(lambda, mu, publicKey, p, q);

const response = {
  ciphertexts: (request.encrypt ?? []).map((m) => publicKey.encrypt(BigInt(m)).toString()),
  plaintexts: (request.decrypt ?? []).map((c) => privateKey.decrypt(BigInt(c)).toString()),
};
if (request.sum) response.sum = publicKey.addition(...request.sum.map(BigInt)).toString();
if (request.scale) response.scaled = publicKey.multiply(BigInt(request.scale.c), BigInt(request.scale.k)).toString();
if (request.generateBits) {
  const own = await paillier.generateRandomKeys(request.generateBits, true);
  response.generated = {
    n: own.publicKey.n.toString(),
    g: own.publicKey.g.toString(),
    p: own.privateKey._p.toString(),
    q: own.privateKey._q.toString(),
    ciphertexts: (request.generatedEncrypt ?? []).map((m) => own.publicKey.encrypt(BigInt(m)).toString()),
  };
}
process.stdout.write(JSON.stringify(response));

function modInverse(a, m) {
  let [r0, r1] = [m, ((a % m) + m) % m];
  let [t0, t1] = [0n, 1n];
  while (r1 !== 0n) {
    const quotient = r0 / r1;
    [r0, r1] = [r1, r0 - quotient * r1];
    [t0, t1] = [t1, t0 - quotient * t1];
  }
  if (r0 !== 1n) throw new Error('not invertible');
  return ((t0 % m) + m) % m;
}
