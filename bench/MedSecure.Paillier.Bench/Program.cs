using MedSecure.Paillier.Bench;

if (args.Length > 0 && args[0] == "micro")
{
    Micro.Run();
    return;
}
