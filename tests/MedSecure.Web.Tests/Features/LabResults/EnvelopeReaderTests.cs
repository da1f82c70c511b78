using System.Reflection;
using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Tests.Support;

namespace MedSecure.Web.Tests.Features.LabResults;

public sealed class EnvelopeReaderTests(ThreeAccountKeys keys) : IClassFixture<ThreeAccountKeys>
{
    [Fact]
    public void It_opens_envelopes_for_its_reader_and_offers_no_other_use_of_the_key()
    {
        var envelope = SealedEnvelope.Seal(new JsonObject { ["panels"] = new JsonArray("lipids") }, "p", ["ctx"],
            new Dictionary<string, PaillierPublicKey> { ["doctor-1"] = keys.Doctor.PaillierPublicKey });

        Assert.Equal("lipids", new EnvelopeReader("doctor-1", keys.Doctor.Paillier).Open(envelope, "p", ["ctx"])["panels"]![0]!.GetValue<string>());
        Assert.Throws<RecordTamperedException>(() => new EnvelopeReader("doctor-1", keys.Stranger.Paillier).Open(envelope, "p", ["ctx"]));

        // The doctor's side is handed this instead of its private key: nothing on it decrypts a ciphertext.
        var surface = typeof(EnvelopeReader).GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m is MethodInfo { IsSpecialName: false } or PropertyInfo)
            .Select(m => m.Name).Order(StringComparer.Ordinal);
        Assert.Equal(["For", "Open", "PublicKey", "ReaderId"], surface);
        Assert.DoesNotContain(typeof(EnvelopeReader).GetProperties(), p => p.PropertyType == typeof(PaillierPrivateKey));
    }
}
