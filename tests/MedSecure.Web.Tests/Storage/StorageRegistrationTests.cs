using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Firebase;
using MedSecure.Web.Storage.Firestore;
using MedSecure.Web.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace MedSecure.Web.Tests.Storage;

/// <summary>How <c>AddTreeStore</c> picks and validates the adapter.</summary>
public sealed class StorageRegistrationTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly List<ServiceProvider> _providers = [];

    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }

        _folder.Dispose();
    }

    private ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IHostEnvironment>(new TestHostEnvironment(_folder.Path));
        services.AddTreeStore(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider;
    }

    /// <summary>What the host does at start-up for options registered with ValidateOnStart.</summary>
    private static void ValidateAtStart(ServiceProvider provider) => provider.GetRequiredService<IStartupValidator>().Validate();

    [Fact]
    public async Task Without_settings_it_is_sqlite_under_the_content_root()
    {
        var provider = Build([]);
        ValidateAtStart(provider);
        var store = Assert.IsType<SqliteTreeStore>(provider.GetRequiredService<ITreeStore>());
        Assert.Equal(Path.Combine(_folder.Path, "App_Data", "medsecure.db"), store.DatabaseFile);
        await store.SetAsync("a", 1);
        Assert.True(File.Exists(store.DatabaseFile));
    }

    [Fact]
    public void An_absolute_sqlite_path_is_used_as_is()
    {
        var file = Path.Combine(_folder.Path, "elsewhere", "x.db");
        var store = Assert.IsType<SqliteTreeStore>(Build(new() { ["Storage:Sqlite:Path"] = file }).GetRequiredService<ITreeStore>());
        Assert.Equal(file, store.DatabaseFile);
    }

    [Fact]
    public void The_store_is_one_instance_for_the_whole_app()
    {
        var provider = Build([]);
        Assert.Same(provider.GetRequiredService<ITreeStore>(), provider.GetRequiredService<ITreeStore>());
    }

    [Fact]
    public void The_emulator_variable_selects_firebase()
    {
        var provider = Build(new() { [FirebaseStorageOptions.EmulatorHostVariable] = "127.0.0.1:9000" });
        ValidateAtStart(provider);
        Assert.IsType<FirebaseTreeStore>(provider.GetRequiredService<ITreeStore>());
    }

    [Fact]
    public void Provider_firebase_with_a_database_url_selects_firebase()
    {
        var provider = Build(new() { ["Storage:Provider"] = "firebase", ["Storage:Firebase:DatabaseUrl"] = "https://x-default-rtdb.firebaseio.com" });
        ValidateAtStart(provider);
        Assert.IsType<FirebaseTreeStore>(provider.GetRequiredService<ITreeStore>());
    }

    [Fact]
    public void An_explicit_sqlite_provider_wins_over_the_emulator_variable()
    {
        var provider = Build(new() { ["Storage:Provider"] = "Sqlite", [FirebaseStorageOptions.EmulatorHostVariable] = "127.0.0.1:9000" });
        Assert.IsType<SqliteTreeStore>(provider.GetRequiredService<ITreeStore>());
    }

    [Theory]
    [InlineData("Storage:Provider", "Mongo", "Storage:Provider")]
    [InlineData("Storage:Provider", "Mongo", "'Firestore', 'RealtimeDatabase'")]
    [InlineData(FirebaseStorageOptions.EmulatorHostVariable, "http://127.0.0.1:9000", "host:port")]
    [InlineData(FirebaseStorageOptions.EmulatorHostVariable, "127.0.0.1", "host:port")]
    [InlineData("Storage:Sqlite:BusyTimeout", "00:00:00", "BusyTimeout")]
    public void Bad_settings_stop_the_start_with_a_message_naming_the_key(string key, string value, string expected)
    {
        var provider = Build(new() { [key] = value });
        var error = Assert.Throws<OptionsValidationException>(() => ValidateAtStart(provider));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not a url")]
    [InlineData("ftp://x.firebaseio.com")]
    public void Firebase_without_a_usable_database_url_stops_the_start(string? url)
    {
        var provider = Build(new() { ["Storage:Provider"] = "Firebase", ["Storage:Firebase:DatabaseUrl"] = url });
        var error = Assert.Throws<OptionsValidationException>(() => ValidateAtStart(provider));
        Assert.Contains("Storage:Firebase:DatabaseUrl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Firebase_retry_settings_are_range_checked()
    {
        var provider = Build(new()
        {
            ["Storage:Provider"] = "Firebase",
            ["Storage:Firebase:DatabaseUrl"] = "https://x.firebaseio.com",
            ["Storage:Firebase:MaxRetryAttempts"] = "50",
            ["Storage:Firebase:AttemptTimeout"] = "00:00:00.001",
        });
        var error = Assert.Throws<OptionsValidationException>(() => ValidateAtStart(provider));
        Assert.Contains("MaxRetryAttempts", error.Message, StringComparison.Ordinal);
        Assert.Contains("AttemptTimeout", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_firestore_emulator_variable_selects_firestore_even_beside_the_rtdb_one()
    {
        var provider = Build(new()
        {
            [FirestoreStorageOptions.EmulatorHostVariable] = "127.0.0.1:8080",
            [FirebaseStorageOptions.EmulatorHostVariable] = "127.0.0.1:9000",
        });
        ValidateAtStart(provider);
        Assert.IsType<FirestoreTreeStore>(provider.GetRequiredService<ITreeStore>());
    }

    [Theory]
    [InlineData("RealtimeDatabase")]
    [InlineData("realtimedatabase")]
    [InlineData("Firebase")]
    public void Realtime_database_is_chosen_by_its_name_or_the_old_alias(string name)
    {
        var provider = Build(new()
        {
            ["Storage:Provider"] = name,
            ["Storage:Firebase:DatabaseUrl"] = "https://x-default-rtdb.firebaseio.com",
            [FirestoreStorageOptions.EmulatorHostVariable] = "127.0.0.1:8080",
        });
        ValidateAtStart(provider);
        Assert.IsType<FirebaseTreeStore>(provider.GetRequiredService<ITreeStore>());
    }

    [Fact]
    public void An_explicit_sqlite_provider_wins_over_the_firestore_emulator_variable()
    {
        var provider = Build(new() { ["Storage:Provider"] = "Sqlite", [FirestoreStorageOptions.EmulatorHostVariable] = "127.0.0.1:8080" });
        ValidateAtStart(provider);
        Assert.IsType<SqliteTreeStore>(provider.GetRequiredService<ITreeStore>());
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("demo-medsecure", null)]
    [InlineData(null, "demo-other")]
    public void Firestore_without_an_emulator_or_a_real_project_stops_the_start_with_a_plain_message(string? projectId, string? firebaseProjectId)
    {
        var provider = Build(new()
        {
            ["Storage:Provider"] = "Firestore",
            ["Storage:Firestore:ProjectId"] = projectId,
            ["Firebase:ProjectId"] = firebaseProjectId,
        });
        var error = Assert.Throws<OptionsValidationException>(() => ValidateAtStart(provider));
        Assert.Contains("no emulator (FIRESTORE_EMULATOR_HOST) and no real project", error.Message, StringComparison.Ordinal);
        Assert.Contains("Storage:Firestore:ProjectId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Firestore_project_defaults_to_the_firebase_project()
    {
        var provider = Build(new() { ["Storage:Provider"] = "Firestore", ["Firebase:ProjectId"] = "medsecure-prod" });
        ValidateAtStart(provider);
        Assert.Equal("medsecure-prod", provider.GetRequiredService<IOptions<StorageOptions>>().Value.Firestore.ProjectId);
        Assert.IsType<FirestoreTreeStore>(provider.GetRequiredService<ITreeStore>());
    }

    [Fact]
    public async Task Production_firestore_has_no_admin_credential_and_says_so_before_sending_anything()
    {
        var provider = Build(new() { ["Storage:Provider"] = "Firestore", ["Storage:Firestore:ProjectId"] = "medsecure-prod" });
        ValidateAtStart(provider);
        var error = await Assert.ThrowsAsync<TreeStorePermissionException>(() => provider.GetRequiredService<ITreeStore>().GetAsync("users/u1"));
        Assert.Contains("No Firestore credential is configured", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FirestoreStorageOptions.EmulatorHostVariable, "http://127.0.0.1:8080", "host:port")]
    [InlineData(FirestoreStorageOptions.EmulatorHostVariable, "127.0.0.1", "host:port")]
    [InlineData("Storage:Firestore:MaxRetryAttempts", "11", "Storage:Firestore:MaxRetryAttempts")]
    [InlineData("Storage:Firestore:DatabaseId", "bad/id", "Storage:Firestore:DatabaseId")]
    public void Bad_firestore_settings_stop_the_start_with_a_message_naming_the_key(string key, string value, string expected)
    {
        var settings = new Dictionary<string, string?> { [FirestoreStorageOptions.EmulatorHostVariable] = "127.0.0.1:8080", [key] = value };
        var error = Assert.Throws<OptionsValidationException>(() => ValidateAtStart(Build(settings)));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private sealed class TestHostEnvironment(string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "MedSecure.Web";
        public string ContentRootPath { get; set; } = contentRoot;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
