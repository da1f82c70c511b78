using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Firestore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace MedSecure.Web.Tests.Storage;

/// <summary>Finds the Firestore emulator for tests, with the skip-or-fail rule every Firestore suite shares.</summary>
internal static class FirestoreEmulator
{
    public const string SkipMessage = "FIRESTORE_EMULATOR_HOST is not set: Firestore emulator tests skipped";

    /// <summary>
    /// The emulator's host:port. Without it the test is skipped, or fails when
    /// <c>MEDSECURE_REQUIRE_FIRESTORE=1</c> (CI on a machine that can run the emulator).
    /// </summary>
    public static string RequireHost()
    {
        var host = Environment.GetEnvironmentVariable(FirestoreStorageOptions.EmulatorHostVariable);
        if (string.IsNullOrWhiteSpace(host))
        {
            if (Environment.GetEnvironmentVariable("MEDSECURE_REQUIRE_FIRESTORE") == "1")
            {
                Assert.Fail(SkipMessage + " (MEDSECURE_REQUIRE_FIRESTORE=1 makes that a failure)");
            }

            Skip.If(true, SkipMessage);
        }

        return host!;
    }

    /// <summary>A Firestore store wired as the app wires it, on the emulator, optionally with another layout.</summary>
    public static (FirestoreTreeStore Store, ServiceProvider Services) Create(FirestoreLayout? layout = null)
    {
        var host = RequireHost();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [FirestoreStorageOptions.EmulatorHostVariable] = host,
                ["Storage:Firestore:MaxRetryAttempts"] = "1",
                ["Storage:Firestore:RetryBaseDelay"] = "00:00:00.050",
            })
            .Build();
        var services = new ServiceCollection();
        if (layout is not null)
        {
            services.AddSingleton(layout);
        }

        var provider = services.AddTreeStore(configuration).BuildServiceProvider();
        return (Assert.IsType<FirestoreTreeStore>(provider.GetRequiredService<ITreeStore>()), provider);
    }
}

/// <summary>
/// The contract suite against the Firestore emulator, wired exactly as the app wires it
/// (<see cref="StorageServiceCollectionExtensions.AddTreeStore"/>, automatic provider choice by
/// <c>FIRESTORE_EMULATOR_HOST</c>), with the app's layout: the test root is an unlisted top-level
/// key, so its children are documents and everything deeper is fields.
/// </summary>
public sealed class FirestoreTreeStoreContractTests : TreeStoreContract
{
    private ServiceProvider? _services;

    protected override ITreeStore CreateStore()
    {
        (var store, _services) = FirestoreEmulator.Create();
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

/// <summary>
/// The contract suite again with a layout that puts the test root's data three tree levels down
/// (<c>*/*/items/*</c>, scalars allowed above documents), so reads above document depth, subtree
/// replacement across documents and queries over document children are all exercised.
/// </summary>
public sealed class FirestoreDeepLayoutContractTests : TreeStoreContract
{
    /// <summary>The layout under test.</summary>
    public static readonly FirestoreLayout DeepLayout = new(defaultTemplate: "*/*/items/*", scalarsAboveDocuments: true);

    private ServiceProvider? _services;

    protected override ITreeStore CreateStore()
    {
        (var store, _services) = FirestoreEmulator.Create(DeepLayout);
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
