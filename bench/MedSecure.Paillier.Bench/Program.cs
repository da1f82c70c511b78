using MedSecure.Paillier.Bench;

// Usage: dotnet run -c Release --project bench/MedSecure.Paillier.Bench [-- quick|gmp [quick] [bits…]|ab|micro|profile|keys [bits] [count]|phases|comparison]
if (args.Length > 0 && args[0] == "micro")
{
    Micro.Run();
    MicroPow.Run();
    return;
}
if (args.Length > 0 && args[0] == "ab") { AbMicro.Run(); return; }
if (args.Length > 0 && args[0] == "gmp") { GmpComparison.Run(args); return; }
if (args.Length > 0 && args[0] == "phases") { Phases.Run(); return; }
if (args.Length > 0 && args[0] == "comparison") { Comparison.Run(); return; }
if (args.Length > 0 && args[0] == "keys")
{
    KeyProbe.Run(args.Length > 1 ? int.Parse(args[1]) : 2048, args.Length > 2 ? int.Parse(args[2]) : 20);
    return;
}
if (args.Length > 0 && args[0] == "profile")
{
    DecryptProfile.Run();
    return;
}
OperationBenchmark.Run(quick: args.Length > 0 && args[0] == "quick");
