using MedSecure.Paillier;

namespace MedSecure.Paillier.Tests;

/// <summary>Keys are expensive: generate them once for the whole test run.</summary>
public static class TestKeys
{
    private static readonly Lazy<PaillierKeyPair> Pair2048 = new(() => PaillierKeyPair.Generate(2048));
    private static readonly Lazy<PaillierKeyPair> Other2048 = new(() => PaillierKeyPair.Generate(2048));
    private static readonly Lazy<PaillierKeyPair> Pair3072 = new(() => PaillierKeyPair.Generate(3072));

    public static PaillierKeyPair Main => Pair2048.Value;

    public static PaillierKeyPair Other => Other2048.Value;

    public static PaillierKeyPair Large => Pair3072.Value;
}
