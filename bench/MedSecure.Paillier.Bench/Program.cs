using MedSecure.Paillier.Bench;

// Usage: dotnet run -c Release --project bench/MedSecure.Paillier.Bench [-- quick|micro|profile]
if (args.Length > 0 && args[0] == "micro")
{
    Micro.Run();
    MicroPow.Run();
    return;
}
if (args.Length > 0 && args[0] == "profile")
{
    DecryptProfile.Run();
    return;
}
OperationBenchmark.Run(quick: args.Length > 0 && args[0] == "quick");
