using System.Numerics;
using MedSecure.Paillier;

namespace MedSecure.Paillier.Tests;

public class PlaintextSlotsTests
{
    private static PaillierPublicKey Pub => TestKeys.Main.PublicKey;
    private static PaillierPrivateKey Priv => TestKeys.Main.PrivateKey;

    [Fact]
    public void Capacity_leaves_room_for_the_cross_terms_of_a_combination()
    {
        // (2S − 1)·96 + 2 ≤ 2048 → S = 11; at 3072 bits, S = 16.
        Assert.Equal(11, PlaintextSlots.Capacity(Pub, 96));
        Assert.Equal(16, PlaintextSlots.Capacity(TestKeys.Large.PublicKey, 96));
        Assert.Throws<PaillierException>(() => PlaintextSlots.Capacity(Pub, 32));
    }

    [Fact]
    public void Every_slot_reads_back_its_signed_value()
    {
        var values = new BigInteger[] { 71, -5, 0, BigInteger.Pow(2, 94), -BigInteger.Pow(2, 94), 1 };
        var packed = PlaintextSlots.Pack(values, 96);
        for (int j = 0; j < values.Length; j++)
        {
            Assert.Equal(values[j], PlaintextSlots.Read(packed, new PlaintextSlot(j, 96)));
        }
        Assert.Throws<PaillierException>(() => PlaintextSlots.Pack([BigInteger.Pow(2, 95)], 96));
    }

    [Fact]
    public void A_linear_combination_of_packed_values_lands_in_the_target_slot()
    {
        var random = new Random(7);
        int capacity = PlaintextSlots.Capacity(Pub, 96);
        for (int round = 0; round < 20; round++)
        {
            var values = Enumerable.Range(0, capacity).Select(_ => new BigInteger(random.NextInt64(-1_000_000, 1_000_000))).ToArray();
            var packed = Pub.EncryptFast(PlaintextSlots.Pack(values, 96));
            // weights on a few random slots, T the highest of them (cross terms reach T + capacity − 1 ≤ 2·capacity − 2)
            var terms = Enumerable.Range(0, capacity).Where(_ => random.Next(3) == 0).Select(j => (Slot: j, Weight: new BigInteger(random.Next(-5000, 5000)))).ToList();
            if (terms.Count == 0) continue;
            int target = terms.Max(t => t.Slot);
            var scalar = terms.Aggregate(BigInteger.Zero, (s, t) => s + (t.Weight << (96 * (target - t.Slot))));
            var result = Priv.Decrypt(Pub.Multiply(packed, scalar));
            var expected = terms.Aggregate(BigInteger.Zero, (s, t) => s + t.Weight * values[t.Slot]);
            Assert.Equal(expected, PlaintextSlots.Read(result, new PlaintextSlot(target, 96)));
        }
    }

    [Fact]
    public void A_packed_value_decrypts_to_its_slot_and_keeps_it_through_json()
    {
        var packed = Pub.Encrypt(PlaintextSlots.Pack([712, -35, 1234], 96));
        var value = EncryptedFixedPoint.FromCiphertext(packed, 1, BigInteger.One, new PlaintextSlot(1, 96));
        Assert.Equal(-3.5m, Priv.DecryptDecimal(value));
        var parsed = EncryptedFixedPoint.FromJson(Pub, value.ToJson());
        Assert.Equal(new PlaintextSlot(1, 96), parsed.Slot);
        Assert.Equal(-3.5m, Priv.DecryptDecimal(parsed));
        Assert.Null(EncryptedFixedPoint.FromJson(Pub, Pub.EncryptDecimal(1.5m, 1).ToJson()).Slot);
    }

    [Fact]
    public void A_packed_value_is_not_added_or_scaled_on_its_own()
    {
        var value = EncryptedFixedPoint.FromCiphertext(Pub.Encrypt(PlaintextSlots.Pack([1, 2], 96)), 0, BigInteger.One, new PlaintextSlot(0, 96));
        Assert.Throws<PaillierException>(() => value.Add(Pub.EncryptDecimal(1m, 0)));
        Assert.Throws<PaillierException>(() => value.Multiply(2m));
        Assert.Throws<PaillierException>(() => value.AddPlain(1m));
    }

    [Fact]
    public void A_slot_outside_the_plaintext_or_half_a_slot_description_is_refused()
    {
        var c = Pub.Encrypt(1);
        Assert.Throws<PaillierException>(() => EncryptedFixedPoint.FromCiphertext(c, 0, BigInteger.One, new PlaintextSlot(22, 96)));
        Assert.Throws<PaillierException>(() => EncryptedFixedPoint.FromCiphertext(c, 0, BigInteger.One, new PlaintextSlot(0, 8)));
        var json = EncryptedFixedPoint.FromCiphertext(c, 0, BigInteger.One, new PlaintextSlot(0, 96)).ToJson().Replace(",\"t\":0", "");
        Assert.Throws<PaillierException>(() => EncryptedFixedPoint.FromJson(Pub, json));
    }
}
