using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.LabResults.Catalog;

namespace MedSecure.Web.Features.Diagnostics.Computation;

/// <summary>
/// A submission's values packed into a few Paillier plaintexts (<see cref="PlaintextSlots"/>): up to
/// <see cref="Capacity"/> values per ciphertext in slots of <see cref="SlotBits"/> bits. A full panel of 31
/// values is 2 encryptions per key at 3072 bits instead of 31, and each formula is one scalar multiplication
/// per packed ciphertext it reads.
/// </summary>
/// <remarks>
/// <para>Inside the envelope: <c>values = { analyteId: { p, t, s } }</c> (pack, slot, decimals) and
/// <c>packs = { kid, w, c: [ciphertext…] }</c>. Copies sealed before packing hold one ciphertext per value
/// (<c>{ kid, c, s }</c>) and are read as before.</para>
/// <para>A combination into slot T leaves cross terms wᵢ·xⱼ in the other slots, which would show raw values
/// to whoever decrypts the whole plaintext. The evaluator adds, in the same fresh encryption that carries
/// the formula's constant, uniform noise of <see cref="NoiseBits"/> more bits than any cross term can reach in
/// every other slot: the decrypted plaintext then says nothing but the result, up to a statistical distance
/// of 2^−<see cref="NoiseBits"/> per slot.</para>
/// </remarks>
public static class PackedValues
{
    /// <summary>Width of every slot.</summary>
    public const int SlotBits = 96;

    /// <summary>Statistical hiding of the cross terms: noise exceeds every cross term by this many bits.</summary>
    public const int NoiseBits = 40;

    /// <summary>Where the packed ciphertexts sit inside an envelope's content.</summary>
    public const string Field = "packs";

    /// <summary>Most packs a stored copy may hold (far more than a catalog of 31 analytes needs at any key size).</summary>
    public const int MaxPacks = 64;

    /// <summary>Values per packed ciphertext under <paramref name="key"/>: 16 at 3072 bits, 11 at 2048.</summary>
    public static int Capacity(PaillierPublicKey key) => PlaintextSlots.Capacity(key, SlotBits);

    /// <summary>How many packs <paramref name="count"/> values need under <paramref name="key"/>.</summary>
    public static int PackCount(int count, PaillierPublicKey key) => (count + Capacity(key) - 1) / Capacity(key);

    /// <summary>The plaintexts that pack <paramref name="scaled"/> in order: value i in pack i / capacity, slot i mod capacity.</summary>
    public static IReadOnlyList<BigInteger> Plaintexts(IReadOnlyList<BigInteger> scaled, PaillierPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(scaled);
        int capacity = Capacity(key);
        return scaled.Chunk(capacity).Select(chunk => PlaintextSlots.Pack(chunk, SlotBits)).ToArray();
    }

    /// <summary>The stored entry of value <paramref name="index"/> (in the order given to <see cref="Plaintexts"/>).</summary>
    public static JsonObject Entry(int index, PaillierPublicKey key, int decimals)
    {
        var (pack, slot) = PositionOf(index, key);
        return new JsonObject { ["p"] = pack, ["t"] = slot, ["s"] = decimals };
    }

    /// <summary>Which pack and slot hold value <paramref name="index"/> (in the order given to <see cref="Plaintexts"/>).</summary>
    public static (int Pack, int Slot) PositionOf(int index, PaillierPublicKey key) => (index / Capacity(key), index % Capacity(key));

    /// <summary>The stored packs: the key's fingerprint, the slot width and the ciphertexts (base64url) in pack order.</summary>
    public static JsonObject Packs(string fingerprint, IEnumerable<string> ciphertexts) => new()
    {
        ["kid"] = fingerprint,
        ["w"] = SlotBits,
        ["c"] = new JsonArray(ciphertexts.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
    };

    /// <summary>
    /// The values of an opened envelope under <paramref name="key"/>, by analyte id: packed ones as slots of their
    /// pack (one ciphertext object per pack), older copies' one ciphertext each.
    /// </summary>
    /// <exception cref="RecordTamperedException">Malformed, another key's, or a layout our sealer never writes.</exception>
    public static Dictionary<string, EncryptedFixedPoint> Read(JsonObject content, PaillierPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(key);
        var values = content["values"] as JsonObject ?? throw new RecordTamperedException();
        try
        {
            if (content[Field] is not { } packsNode)
            {
                return values.ToDictionary(v => v.Key, v => EncryptedFixedPoint.FromJson(key, (v.Value ?? throw new RecordTamperedException()).ToJsonString()), StringComparer.Ordinal);
            }
            var packs = ReadPacks(packsNode, key);
            var taken = new HashSet<(int, int)>();
            var read = new Dictionary<string, EncryptedFixedPoint>(StringComparer.Ordinal);
            foreach (var (analyteId, node) in values)
            {
                if (node is not JsonObject entry || entry.Count != 3 || !TryInt(entry["s"], out int decimals) || decimals < 0 || decimals > 28)
                {
                    throw new RecordTamperedException();
                }
                read[analyteId] = SlotIn(entry, packs, key, taken, decimals);
            }
            return read;
        }
        catch (PaillierException ex)
        {
            throw new RecordTamperedException(ex);
        }
    }

    /// <summary>
    /// The fresh plaintext that starts a combination into slot <paramref name="target"/>: the constant there and, in
    /// every other slot up to <paramref name="top"/>, uniform noise <see cref="NoiseBits"/> bits above <paramref name="crossTermBound"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The cross terms and noise would not fit half a slot.</exception>
    public static BigInteger NoisyStart(BigInteger constant, int target, int top, BigInteger crossTermBound)
    {
        int noiseBits = (int)crossTermBound.GetBitLength() + NoiseBits;
        // noise + cross term < 2^(noiseBits + 1) must stay below half a slot, and so must the constant plus its terms
        if (noiseBits + 2 > SlotBits || BigInteger.Abs(constant) + crossTermBound >= BigInteger.One << (SlotBits - 2))
        {
            throw new ArgumentException("This formula's terms are too large for packed values.", nameof(crossTermBound));
        }
        var start = BigInteger.Zero;
        var bytes = new byte[(noiseBits + 7) / 8 + 1];
        for (int t = top; t >= 0; t--)
        {
            BigInteger digit = constant;
            if (t != target)
            {
                RandomNumberGenerator.Fill(bytes.AsSpan(0, bytes.Length - 1));
                bytes[^1] = 0;
                digit = new BigInteger(bytes, isUnsigned: true) & ((BigInteger.One << noiseBits) - 1);
            }
            start = (start << SlotBits) + digit;
        }
        return start;
    }

    /// <summary>The largest |X| of any analyte of the catalog: what one cross term's input can be, whichever slot it comes from.</summary>
    public static BigInteger LargestFixedPoint(LabCatalog labs)
    {
        ArgumentNullException.ThrowIfNull(labs);
        return labs.Analytes.Max(a => BigInteger.Max(BigInteger.Abs(a.ToFixedPoint(a.Plausible.Min)), BigInteger.Abs(a.ToFixedPoint(a.Plausible.Max))));
    }

    /// <summary>
    /// The value that <paramref name="entry"/>'s <c>p</c> and <c>t</c> name among <paramref name="packs"/>, after checking
    /// the pack exists, the slot is inside the key's capacity and no other entry in <paramref name="taken"/> holds it.
    /// </summary>
    /// <exception cref="RecordTamperedException">Another position than our sealer writes.</exception>
    internal static EncryptedFixedPoint SlotIn(JsonObject entry, IReadOnlyList<PaillierCiphertext> packs, PaillierPublicKey key, HashSet<(int, int)> taken, int decimals = 0)
    {
        if (!TryInt(entry["p"], out int pack) || !TryInt(entry["t"], out int slot)
            || pack < 0 || pack >= packs.Count || slot < 0 || slot >= Capacity(key) || !taken.Add((pack, slot)))
        {
            throw new RecordTamperedException();
        }
        return EncryptedFixedPoint.FromCiphertext(packs[pack], decimals, BigInteger.One, new PlaintextSlot(slot, SlotBits));
    }

    /// <summary>
    /// The ciphertexts of a <see cref="Packs"/> object under <paramref name="key"/>; <paramref name="otherFields"/> more
    /// fields may sit beside kid, w and c (for objects that add their own, as the check answers do).
    /// </summary>
    /// <exception cref="RecordTamperedException">Another key's, another slot width, no ciphertexts or too many.</exception>
    /// <exception cref="PaillierException">A ciphertext is malformed.</exception>
    internal static List<PaillierCiphertext> ReadPacks(JsonNode node, PaillierPublicKey key, int otherFields = 0)
    {
        if (node is not JsonObject packs || packs.Count != 3 + otherFields || packs["kid"] is not JsonValue kid || !kid.TryGetValue<string>(out var fingerprint)
            || fingerprint != key.Fingerprint || !TryInt(packs["w"], out int bits) || bits != SlotBits
            || packs["c"] is not JsonArray ciphertexts || ciphertexts.Count == 0 || ciphertexts.Count > MaxPacks)
        {
            throw new RecordTamperedException();
        }
        return ciphertexts.Select(c => PaillierCiphertext.FromJson(key, new JsonObject { ["kid"] = fingerprint, ["c"] = c?.DeepClone() }.ToJsonString())).ToList();
    }

    private static bool TryInt(JsonNode? node, out int value)
    {
        value = 0;
        return node is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.Number && v.TryGetValue(out value);
    }
}
