using MedSecure.Web.Firebase;
using MedSecure.Web.Infrastructure;
using MedSecure.Web.Storage;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddMedSecureWeb();
builder.Services.AddFirebaseAuth(builder.Configuration);
builder.Services.AddTreeStore(builder.Configuration);

var app = builder.Build();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Error");
    app.UseHsts();
}
app.UseResponseCompression();
app.UseSecurityHeaders();
app.UseAuthentication();
app.UseAuthorization();
app.MapStaticAssets();
app.MapHealthChecks("/health");
app.MapRazorPages().WithStaticAssets();
app.Run();

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
