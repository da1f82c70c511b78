using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Firebase;
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

    private sealed class TestHostEnvironment(string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "MedSecure.Web";
        public string ContentRootPath { get; set; } = contentRoot;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
