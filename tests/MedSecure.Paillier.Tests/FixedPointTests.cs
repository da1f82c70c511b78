using System.Numerics;
using MedSecure.Paillier;

namespace MedSecure.Paillier.Tests;

public class FixedPointTests
{
    private static PaillierPublicKey Pub => TestKeys.Main.PublicKey;
    private static PaillierPrivateKey Priv => TestKeys.Main.PrivateKey;

    [Fact]
    public void Decimal_round_trip_keeps_every_digit()
    {
        Assert.Equal(5.25m, Priv.DecryptDecimal(Pub.EncryptDecimal(5.25m, 2)));
        Assert.Equal(-0.001m, Priv.DecryptDecimal(Pub.EncryptDecimal(-0.001m, 3)));
        Assert.Equal(120m, Priv.DecryptDecimal(Pub.EncryptDecimal(120m, 0)));
        Assert.Equal(7.5m, Priv.DecryptDecimal(Pub.EncryptDecimal(7.50m, 1)));
    }

    [Fact]
    public void More_places_than_the_scale_is_refused()
    {
        var ex = Assert.Throws<PaillierException>(() => Pub.EncryptDecimal(1.234m, 2));
        Assert.Contains("decimal places", ex.Message);
        Assert.Throws<PaillierException>(() => Pub.EncryptDecimal(1m, -1));
        Assert.Throws<PaillierException>(() => Pub.EncryptDecimal(1m, 29));
    }

    [Fact]
    public void Mean_arterial_pressure_is_exact()
    {
        // MAP = (SBP + 2·DBP)/3 with SBP = 120.5, DBP = 80.25 → 93.666…
        var sbp = Pub.EncryptDecimal(120.5m, 1);
        var dbp = Pub.EncryptDecimal(80.25m, 2);
        var map = sbp.Add(dbp.Multiply(2, 1)).Multiply(1, 3);
        Assert.Equal(2, map.Scale);
        Assert.Equal(new BigInteger(3), map.Denominator);
        decimal result = Priv.DecryptDecimal(map);
        Assert.Equal(Math.Round((120.5m + 2 * 80.25m) / 3, 20), Math.Round(result, 20));
    }

    [Fact]
    public void Weighted_sum_with_decimal_constants_and_offset()
    {
        // Friedewald LDL = TC − HDL − TG/5 (mmol/L variant uses TG/2.2)
        var tc = Pub.EncryptDecimal(5.2m, 1);
        var hdl = Pub.EncryptDecimal(1.3m, 1);
        var tg = Pub.EncryptDecimal(1.76m, 2);
        var ldl = tc.Subtract(hdl).Subtract(tg.Multiply(10, 22));
        Assert.Equal(5.2m - 1.3m - 0.8m, Priv.DecryptDecimal(ldl));
        var shifted = ldl.AddPlain(0.125m).Multiply(-1.5m);
        Assert.Equal((5.2m - 1.3m - 0.8m + 0.125m) * -1.5m, Priv.DecryptDecimal(shifted));
    }

    [Fact]
    public void Json_round_trip_carries_scale_and_denominator()
    {
        var x = Pub.EncryptDecimal(-12.34m, 2).Multiply(2, 3);
        string json = x.ToJson();
        var back = EncryptedFixedPoint.FromJson(Pub, json);
        Assert.Equal(x.Scale, back.Scale);
        Assert.Equal(x.Denominator, back.Denominator);
        Assert.Equal(Priv.DecryptDecimal(x), Priv.DecryptDecimal(back));
        Assert.Throws<PaillierException>(() => EncryptedFixedPoint.FromJson(Pub, json.Replace("\"s\":2", "\"s\":-1", StringComparison.Ordinal)));
        Assert.Throws<PaillierException>(() => EncryptedFixedPoint.FromJson(Pub, json.Replace("\"d\":\"3\"", "\"d\":\"0\"", StringComparison.Ordinal)));
        Assert.Throws<PaillierException>(() => EncryptedFixedPoint.FromJson(TestKeys.Other.PublicKey, json));
        Assert.Throws<PaillierException>(() => EncryptedFixedPoint.FromJson(Pub, json.Replace("\"d\":\"3\"", "\"d\":\"" + new string('7', 1001) + "\"", StringComparison.Ordinal)));
        Assert.Throws<PaillierException>(() => EncryptedFixedPoint.FromJson(Pub, json.Replace("\"d\":\"3\"", "\"d\":\"-3\"", StringComparison.Ordinal)));
        Assert.Throws<PaillierException>(() => EncryptedFixedPoint.FromJson(Pub, json.Replace("\"s\":2", "\"s\":\"2\"", StringComparison.Ordinal)));
    }

    [Fact]
    public void Zero_denominator_is_refused()
    {
        Assert.Throws<PaillierException>(() => Pub.EncryptDecimal(1m, 0).Multiply(1, 0));
    }
}
