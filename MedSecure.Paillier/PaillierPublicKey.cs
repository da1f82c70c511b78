using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MedSecure.Paillier;

/// <summary>
/// A Paillier public key (n, g = n + 1). Encrypts signed integers with python-paillier's encoding and
/// performs the homomorphic operations. Thread-safe; keep one instance per key because it caches
/// precomputed tables.
/// </summary>
public sealed class PaillierPublicKey : IEquatable<PaillierPublicKey>
{
    /// <summary>Smallest modulus accepted anywhere in MedSecure.</summary>
    public const int MinimumModulusBits = 2048;

    /// <summary>Largest modulus accepted, to bound the work a hostile key can cause.</summary>
    public const int MaximumModulusBits = 16384;

    private readonly Lazy<FastEncryptionBase> _fastBase;

    private PaillierPublicKey(BigInteger n)
    {
        N = n;
        NSquared = n * n;
        ModulusBits = (int)n.GetBitLength();
        MaxEncodable = n / 3;
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(n.ToByteArray(isUnsigned: true, isBigEndian: true)));
        NSquaredArithmetic = new MontgomeryModulus(NSquared);
        _fastBase = new Lazy<FastEncryptionBase>(() => new FastEncryptionBase(this), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The modulus n = p·q.</summary>
    public BigInteger N { get; }

    /// <summary>n², the ciphertext modulus.</summary>
    public BigInteger NSquared { get; }

    /// <summary>The generator g = n + 1.</summary>
    public BigInteger G => N + BigInteger.One;

    /// <summary>Bit length of n.</summary>
    public int ModulusBits { get; }

    /// <summary>⌊n/3⌋: plaintexts must lie in [−MaxEncodable, MaxEncodable] (python-paillier's max_int).</summary>
    public BigInteger MaxEncodable { get; }

    /// <summary>Lowercase hex SHA-256 of n's big-endian unsigned bytes; also the JWK <c>kid</c>.</summary>
    public string Fingerprint { get; }

    internal MontgomeryModulus NSquaredArithmetic { get; }

    internal FastEncryptionBase FastBase => _fastBase.Value;

    /// <summary>
    /// Builds a public key from a modulus received from elsewhere, after validating it:
    /// at least <see cref="MinimumModulusBits"/> bits, odd, and free of small prime factors.
    /// </summary>
    /// <exception cref="PaillierException">The modulus is unacceptable.</exception>
    public static PaillierPublicKey FromModulus(BigInteger n)
    {
        // Setting a key up (validation, n², its Montgomery constants, the fingerprint) costs more than a request
        // that only verifies and decrypts, and the same few keys are parsed on every request: hand out one instance
        // per modulus. It is immutable but for its lazily built fast-encryption table, which is then shared too.
        if (n.Sign > 0 && Validated.TryGetValue(n, out var known)) return known;
        if (n.Sign <= 0) throw new PaillierException("Modulus n must be positive.");
        long bits = (long)n.GetBitLength();
        if (bits < MinimumModulusBits)
            throw new PaillierException($"Modulus n has {bits} bits; at least {MinimumModulusBits} are required.");
        if (bits > MaximumModulusBits)
            throw new PaillierException($"Modulus n has {bits} bits; at most {MaximumModulusBits} are accepted.");
        if (n.IsEven) throw new PaillierException("Modulus n must be odd.");
        int factor = SmallPrimes.FindSmallFactor(n);
        if (factor != 0) throw new PaillierException($"Modulus n has the small prime factor {factor}.");
        if (Validated.Count >= MaxValidatedKeys) Validated.Clear();
        return Validated.GetOrAdd(n, modulus => new PaillierPublicKey(modulus));
    }

    // Bounded: each instance may hold a fast-encryption table (about 1 MB at 3072 bits) once it has encrypted in fast mode.
    private const int MaxValidatedKeys = 32;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<BigInteger, PaillierPublicKey> Validated = new();

    // For keys we generated ourselves: already known to be well formed.
    internal static PaillierPublicKey FromTrustedModulus(BigInteger n) => new(n);

    /// <summary>Maps a signed plaintext into Z_n: v ≥ 0 stays, v &lt; 0 becomes n − |v|.</summary>
    /// <exception cref="PaillierException">|v| exceeds <see cref="MaxEncodable"/>.</exception>
    public BigInteger Encode(BigInteger value)
    {
        if (BigInteger.Abs(value) > MaxEncodable)
            throw new PaillierException($"Plaintext is outside [-n/3, n/3] for this {ModulusBits}-bit key.");
        return value.Sign < 0 ? N + value : value;
    }

    /// <summary>Inverse of <see cref="Encode"/>; a value in the middle third of Z_n is an overflow.</summary>
    /// <exception cref="PaillierException">The encoded value lies in the overflow band or outside Z_n.</exception>
    public BigInteger Decode(BigInteger encoded)
    {
        if (encoded.Sign < 0 || encoded >= N) throw new PaillierException("Encoded plaintext is outside [0, n).");
        if (encoded <= MaxEncodable) return encoded;
        if (encoded >= N - MaxEncodable) return encoded - N;
        throw new PaillierException("Overflow: the decrypted value is outside [-n/3, n/3]; a homomorphic result exceeded the encodable range.");
    }

    /// <summary>
    /// Encrypts a signed integer with full-length randomness r ∈ Z_n* (c = (1 + m·n)·rⁿ mod n²).
    /// Needs only the public key.
    /// </summary>
    /// <exception cref="PaillierException">The plaintext is outside the encodable range.</exception>
    public PaillierCiphertext Encrypt(BigInteger m) => EncryptWithMask(Encode(m), NewRandomMask());

    /// <summary>
    /// Fast fresh encryption (Damgård–Jurik–Nielsen): c = (1 + m·n)·h_sʳ mod n², where h = −x² mod n for a random x,
    /// h_s = hⁿ mod n² is computed once per key and cached with a fixed-base window table, and r has ⌈nlen/2⌉ bits.
    /// </summary>
    /// <remarks>
    /// Extra security assumption beyond Paillier's decisional composite residuosity: that h_sʳ with a short random
    /// exponent r (⌈nlen/2⌉ bits) is indistinguishable from a uniformly random n-th residue, i.e. that the short
    /// exponent does not help an attacker (Damgård, Jurik, Nielsen, "A generalization of Paillier's public-key
    /// system with applications to electronic voting", 2010, section 4.2). h is a public value anyone can derive;
    /// x is discarded after setup. Ciphertexts are indistinguishable in form from ordinary ones and decrypt normally.
    /// The first call on a key instance computes h_s and its comb table (about one full encryption plus a few
    /// thousand multiplications; about 1 MB for a 3072-bit key); later calls reuse them.
    /// </remarks>
    public PaillierCiphertext EncryptFast(BigInteger m) => EncryptWithMask(Encode(m), NewFastMask());

    /// <summary>Homomorphic addition: D(Add(a, b)) = D(a) + D(b).</summary>
    public PaillierCiphertext Add(PaillierCiphertext a, PaillierCiphertext b)
    {
        CheckOwned(a);
        CheckOwned(b);
        return new PaillierCiphertext(this, a.Value * b.Value % NSquared);
    }

    /// <summary>Homomorphic subtraction: D(Subtract(a, b)) = D(a) − D(b).</summary>
    public PaillierCiphertext Subtract(PaillierCiphertext a, PaillierCiphertext b) => Add(a, Negate(b));

    /// <summary>Homomorphic negation: D(Negate(c)) = −D(c).</summary>
    public PaillierCiphertext Negate(PaillierCiphertext c)
    {
        CheckOwned(c);
        return new PaillierCiphertext(this, InverseModNSquared(c.Value));
    }

    /// <summary>
    /// Adds a plaintext constant: D(AddPlain(c, k)) = D(c) + k. The result is as random as <paramref name="c"/>;
    /// call <see cref="Rerandomize"/> before publishing if that matters.
    /// </summary>
    public PaillierCiphertext AddPlain(PaillierCiphertext c, BigInteger k)
    {
        CheckOwned(c);
        BigInteger gk = BigInteger.One + Encode(k) * N; // g^k = 1 + k·n mod n² since g = n + 1
        return new PaillierCiphertext(this, c.Value * gk % NSquared);
    }

    /// <summary>
    /// Multiplies by a plaintext constant (negative allowed): D(Multiply(c, k)) = k·D(c) mod n.
    /// Results outside [−n/3, n/3] are reported as overflow on decryption.
    /// </summary>
    public PaillierCiphertext Multiply(PaillierCiphertext c, BigInteger k)
    {
        CheckOwned(c);
        if (k.IsZero) return new PaillierCiphertext(this, BigInteger.One);
        BigInteger kr = BigInteger.Remainder(k, N);
        BigInteger b = c.Value;
        // A negative constant uses c⁻¹ with |k|: a short exponent instead of one of n's length.
        if (kr.Sign < 0)
        {
            b = InverseModNSquared(b);
            kr = -kr;
        }
        return new PaillierCiphertext(this, NSquaredArithmetic.Pow(b, kr));
    }

    /// <summary>Returns a fresh-looking ciphertext of the same plaintext (multiplies by rⁿ).</summary>
    public PaillierCiphertext Rerandomize(PaillierCiphertext c)
    {
        CheckOwned(c);
        return new PaillierCiphertext(this, c.Value * NewRandomMask() % NSquared);
    }

    /// <summary>
    /// Multiplies by a SECRET non-negative constant: D(MultiplySecret(c, k)) = k·D(c) mod n, computed with the
    /// constant-time exponentiation (<see cref="MontgomeryModulus.PowSecret(BigInteger, BigInteger, int)"/>):
    /// always ⌈nlen/5⌉ fixed windows and a full table scan per window, whatever k's value or length.
    /// Use it for blinding multipliers and any other constant an observer of timing must not learn;
    /// <see cref="Multiply"/> is for public constants (formula weights) and is faster for short ones.
    /// </summary>
    /// <param name="c">The ciphertext.</param>
    /// <param name="k">The secret constant, 0 ≤ k &lt; n.</param>
    /// <exception cref="PaillierException">k is outside [0, n).</exception>
    public PaillierCiphertext MultiplySecret(PaillierCiphertext c, BigInteger k)
    {
        CheckOwned(c);
        if (k.Sign < 0 || k >= N) throw new PaillierException("A secret multiplier must lie in [0, n).");
        return new PaillierCiphertext(this, NSquaredArithmetic.PowSecret(c.Value, k, ModulusBits));
    }

    /// <summary>
    /// OBSOLETE — sign-revealing, magnitude-leaking. Returns Enc(ρ·x + σ) with ρ ∈ [2^(bits−1), 2^bits) and
    /// σ ∈ [0, ρ), re-randomized. Its decryption V is ≥ 0 exactly when x ≥ 0, but V does NOT hide |x|:
    /// |x|·2^(bits−1) ≤ |V| &lt; (|x| + 1)·2^bits, so a single decryption brackets |x| within a factor of about
    /// two (log₂|V| − bits + 1 ≤ log₂|x| ≤ log₂|V| − bits + 1 + 1), and repeated blindings of the same x narrow
    /// the bracket further. No affine blinding a·x + b with a short multiplier can do better; use
    /// <see cref="PrivateComparison"/>, whose decryptions reveal the side and nothing else.
    /// </summary>
    /// <param name="c">Encryption of x; |x|·2^bits must stay below ⌊n/3⌋.</param>
    /// <param name="multiplierBits">Size of ρ, 16 to 256 bits.</param>
    [Obsolete("BlindSign reveals the sign AND brackets |x| within a factor of two per decryption; use PrivateComparison.")]
    public PaillierCiphertext BlindSign(PaillierCiphertext c, int multiplierBits = 64)
    {
        CheckOwned(c);
        if (multiplierBits < 16 || multiplierBits > 256)
            throw new PaillierException("Blinding multiplier size must be between 16 and 256 bits.");
        BigInteger rho = RandomIntegers.WithBits(multiplierBits, topBits: 1);
        BigInteger sigma = RandomIntegers.Below(rho);
        // ρ·x + σ: for x ≥ 0 it is ≥ 0; for x ≤ −1 it is ≤ −ρ + σ < 0. ρ is secret: constant-time exponentiation.
        return Rerandomize(AddPlain(MultiplySecret(c, rho), sigma));
    }

    /// <summary>
    /// Encrypts a decimal as signed fixed point with <paramref name="scale"/> decimal places
    /// (value·10^scale must be an integer; no digit is silently dropped).
    /// </summary>
    /// <exception cref="PaillierException">The value has more decimal places than the scale, or is out of range.</exception>
    public EncryptedFixedPoint EncryptDecimal(decimal value, int scale) =>
        new(Encrypt(FixedPoint.ToScaledInteger(value, scale)), scale, BigInteger.One);

    /// <summary>As <see cref="EncryptDecimal"/> but with the fast fresh-encryption mode of <see cref="EncryptFast"/>.</summary>
    public EncryptedFixedPoint EncryptDecimalFast(decimal value, int scale) =>
        new(EncryptFast(FixedPoint.ToScaledInteger(value, scale)), scale, BigInteger.One);

    /// <summary>
    /// Starts a pool of precomputed encryption masks filled by a background thread; each mask is used once.
    /// Dispose the pool to stop the thread.
    /// </summary>
    /// <param name="capacity">Number of masks kept ready.</param>
    /// <param name="fastMode">Fill with Damgård–Jurik–Nielsen masks (see <see cref="EncryptFast"/>) instead of full ones.</param>
    public PaillierRandomnessPool CreateRandomnessPool(int capacity = 64, bool fastMode = false) =>
        new(this, capacity, fastMode ? NewFastMask : NewRandomMask, selfFilling: true, fastMode);

    /// <summary>
    /// An empty pool of encryption masks with no thread of its own: whoever schedules the filling calls
    /// <see cref="PaillierRandomnessPool.FillOne"/> (so one low-priority thread can fill many pools). Each mask is used once.
    /// </summary>
    /// <param name="capacity">Most masks kept ready.</param>
    /// <param name="fastMode">Fill with Damgård–Jurik–Nielsen masks (see <see cref="EncryptFast"/>) instead of full ones.</param>
    public PaillierRandomnessPool CreateMaskBuffer(int capacity, bool fastMode = false) =>
        new(this, capacity, fastMode ? NewFastMask : NewRandomMask, selfFilling: false, fastMode);

    /// <summary>Serializes as python-paillier's public JWK: kty "DAJ", alg "PAI-GN1", key_ops ["encrypt"], n, kid.</summary>
    public string ToJwk()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            WriteJwk(w);
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    internal void WriteJwk(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("kty", "DAJ");
        w.WriteString("alg", "PAI-GN1");
        w.WriteStartArray("key_ops");
        w.WriteStringValue("encrypt");
        w.WriteEndArray();
        w.WriteString("n", Codec.ToBase64Url(N));
        w.WriteString("kid", Fingerprint);
        w.WriteEndObject();
    }

    /// <summary>Parses and validates a public JWK in python-paillier's format.</summary>
    /// <exception cref="PaillierException">The JWK is malformed or the modulus is unacceptable.</exception>
    public static PaillierPublicKey FromJwk(string json)
    {
        using var doc = Codec.Parse(json, "public JWK");
        return FromJwkElement(doc.RootElement);
    }

    internal static PaillierPublicKey FromJwkElement(JsonElement root)
    {
        const string what = "public JWK";
        if (root.ValueKind != JsonValueKind.Object) throw new PaillierException("The public JWK must be an object.");
        if (Codec.RequireString(root, "kty", what) != "DAJ") throw new PaillierException("The public JWK 'kty' must be \"DAJ\".");
        if (Codec.RequireString(root, "alg", what) != "PAI-GN1") throw new PaillierException("The public JWK 'alg' must be \"PAI-GN1\".");
        Codec.RequireKeyOp(root, "encrypt", what);
        _ = Codec.OptionalString(root, "kid", what); // python-paillier puts a free-text comment here
        return FromModulus(Codec.FromBase64Url(Codec.RequireString(root, "n", what), "n"));
    }

    /// <inheritdoc />
    public bool Equals(PaillierPublicKey? other) => other is not null && (ReferenceEquals(this, other) || N.Equals(other.N));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as PaillierPublicKey);

    /// <inheritdoc />
    public override int GetHashCode() => N.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => $"Paillier public key ({ModulusBits} bits, {Fingerprint})";

    internal void CheckOwned(PaillierCiphertext c)
    {
        ArgumentNullException.ThrowIfNull(c);
        if (!Equals(c.Key))
            throw new PaillierException($"Ciphertext belongs to key {c.Key.Fingerprint}, not to key {Fingerprint}.");
    }

    // x⁻¹ mod n² from x⁻¹ mod n by one Newton (Hensel) step y ← y·(2 − x·y): Euclid on n-sized numbers costs a
    // quarter of Euclid on n²-sized ones, and the lift is two multiplications.
    internal BigInteger InverseModNSquared(BigInteger x)
    {
        BigInteger y = BigIntegerExtensions.ModInverse(x % N, N);
        BigInteger lifted = y * (2 - x * y % NSquared) % NSquared;
        return lifted.Sign < 0 ? lifted + NSquared : lifted;
    }

    // c = (1 + m·n)·mask mod n² = mask + n·(m·mask mod n) mod n²: products of n-sized numbers only.
    internal PaillierCiphertext EncryptWithMask(BigInteger encoded, BigInteger mask)
    {
        BigInteger t = encoded * (mask % N) % N;
        BigInteger c = mask + N * t;
        if (c >= NSquared) c -= NSquared;
        return new PaillierCiphertext(this, c);
    }

    /// <summary>A uniformly random r ∈ [1, n), coprime to n.</summary>
    internal BigInteger RandomUnit()
    {
        while (true)
        {
            BigInteger r = RandomIntegers.Below(N);
            if (!r.IsZero && BigInteger.GreatestCommonDivisor(r, N).IsOne) return r;
        }
    }

    internal BigInteger NewRandomMask() => NSquaredArithmetic.Pow(RandomUnit(), N);

    internal BigInteger NewFastMask() => FastBase.NewMask();
}
