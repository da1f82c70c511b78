using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Firebase;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MedSecure.Web.Tests.Storage;

/// <summary>
/// The contract suite against the Realtime Database emulator, wired exactly as the app wires it
/// (<see cref="StorageServiceCollectionExtensions.AddTreeStore"/>). Skipped, saying so, when
/// <c>FIREBASE_DATABASE_EMULATOR_HOST</c> is not set (the emulator needs Java 21).
/// </summary>
public sealed class FirebaseTreeStoreContractTests : TreeStoreContract
{
    public const string SkipMessage = "FIREBASE_DATABASE_EMULATOR_HOST is not set: Firebase contract suite skipped";

    private ServiceProvider? _services;

    protected override ITreeStore CreateStore()
    {
        var host = Environment.GetEnvironmentVariable(FirebaseStorageOptions.EmulatorHostVariable);
        Skip.If(string.IsNullOrWhiteSpace(host), SkipMessage);

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [FirebaseStorageOptions.EmulatorHostVariable] = host,
                ["Storage:Firebase:MaxRetryAttempts"] = "1",
                ["Storage:Firebase:RetryBaseDelay"] = "00:00:00.050",
            })
            .Build();
        _services = new ServiceCollection().AddTreeStore(configuration).BuildServiceProvider();
        var store = _services.GetRequiredService<ITreeStore>();
        Assert.IsType<FirebaseTreeStore>(store);
        return store;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }
}
