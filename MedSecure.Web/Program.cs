using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Account;
using MedSecure.Web.Firebase;
using MedSecure.Web.Infrastructure;
using MedSecure.Web.Infrastructure.ScaleOut;
using MedSecure.Web.Storage;

var builder = WebApplication.CreateBuilder(args);
if (!builder.Environment.IsProduction())
{
    // Local runs serve wwwroot from the build output; only Development enables that by default.
    builder.WebHost.UseStaticWebAssets();
}
// The pepper and the server signing key live outside the database; Development makes them once.
builder.AddServerSecretsFile();
builder.Services.AddMedSecureWeb(builder.Configuration);
builder.Services.AddFirebaseAuth(builder.Configuration);
builder.Services.AddTreeStore(builder.Configuration);
// Every storage call acts as the signed-in user, so the security rules apply; no admin credential.
builder.Services.AddActingUserCredentials();
builder.Services.AddAccountCrypto(builder.Configuration);
// Several instances share session keys, the key ring and attempt limits through Redis when configured.
builder.Services.AddRedisScaleOut(builder.Configuration);

var app = builder.Build();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error");
}
// A 404, 403 or 400 without a body shows the app's own page in the layout, status kept.
app.UseErrorPages();
if (app.Configuration.GetValue("Security:RequireHttps", true))
{
    app.UseHsts();
    app.UseHttpsRedirection();
}
app.UseResponseCompression();
app.UseSecurityHeaders();
app.UseFormBodyGuard();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseScaleOut();
app.MapStaticAssets();
app.MapHealthChecks("/health");
app.MapRazorPages().WithStaticAssets();
app.Run();

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
