using System.Buffers.Text;
using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;

namespace MedSecure.Web.Tests.Crypto;

public sealed class SealedEnvelopeTests : IClassFixture<SealedEnvelopeTests.TwoReaders>
{
    private readonly TwoReaders _readers;

    public SealedEnvelopeTests(TwoReaders readers) => _readers = readers;

    public sealed class TwoReaders
    {
        public PaillierPrivateKey Doctor { get; } = PaillierKeyPair.Generate(2048).PrivateKey;
        public PaillierPrivateKey Patient { get; } = PaillierKeyPair.Generate(2048).PrivateKey;
        public PaillierPrivateKey Stranger { get; } = PaillierKeyPair.Generate(2048).PrivateKey;
    }

    private static readonly string[] Context = ["patient-1", "submission-1"];

    private JsonObject SealForBoth(JsonObject content) =>
        SealedEnvelope.Seal(content, "test.values", Context, new Dictionary<string, PaillierPublicKey>
        {
            ["doctor"] = _readers.Doctor.PublicKey,
            ["patient"] = _readers.Patient.PublicKey,
        });

    [Fact]
    public void Every_reader_opens_the_same_content()
    {
        var envelope = SealForBoth(new JsonObject { ["panels"] = new JsonArray("lipids", "cbc"), ["hba1c"] = 6.1 });

        var forDoctor = SealedEnvelope.Open(envelope, "test.values", Context, "doctor", _readers.Doctor);
        var forPatient = SealedEnvelope.Open(envelope, "test.values", Context, "patient", _readers.Patient);

        Assert.Equal("""{"panels":["lipids","cbc"],"hba1c":6.1}""", forDoctor.ToJsonString());
        Assert.Equal(forDoctor.ToJsonString(), forPatient.ToJsonString());
        Assert.Equal(["doctor", "patient"], SealedEnvelope.ReadersOf(envelope));
    }

    [Fact]
    public void A_key_wrapped_ahead_in_a_batch_opens_for_each_reader_and_a_reader_named_twice_is_refused()
    {
        using var key = EnvelopeKey.New();
        var content = new JsonObject { ["hba1c"] = 6.1 };
        var envelope = SealedEnvelope.Seal(content, "test.values", Context, key,
            [new("patient", _readers.Patient.PublicKey.Encrypt(key.Plaintext)), new("doctor", _readers.Doctor.PublicKey.Encrypt(key.Plaintext))]);

        Assert.Equal(["doctor", "patient"], SealedEnvelope.ReadersOf(envelope));
        Assert.Equal(content.ToJsonString(), SealedEnvelope.Open(envelope, "test.values", Context, "doctor", _readers.Doctor).ToJsonString());
        Assert.Equal(content.ToJsonString(), SealedEnvelope.Open(envelope, "test.values", Context, "patient", _readers.Patient).ToJsonString());
        Assert.Throws<RecordTamperedException>(() => SealedEnvelope.Open(envelope, "test.values", Context, "stranger", _readers.Stranger));
        Assert.Throws<ArgumentException>(() => SealedEnvelope.Seal(content, "test.values", Context, key,
            [new("doctor", _readers.Doctor.PublicKey.Encrypt(key.Plaintext)), new("doctor", _readers.Doctor.PublicKey.Encrypt(key.Plaintext))]));
    }

    [Fact]
    public void The_stored_envelope_holds_no_content_in_the_clear()
    {
        var envelope = SealForBoth(new JsonObject { ["analyte"] = "hba1c", ["panel"] = "diabetes" });

        var stored = envelope.ToJsonString();
        Assert.DoesNotContain("hba1c", stored);
        Assert.DoesNotContain("diabetes", stored);
    }

    [Fact]
    public void Padding_hides_small_differences_in_length()
    {
        var small = SealForBoth(new JsonObject { ["a"] = "x" });
        var larger = SealForBoth(new JsonObject { ["a"] = new string('x', 150) });

        Assert.Equal(small["body"]!.GetValue<string>().Length, larger["body"]!.GetValue<string>().Length);
    }

    [Fact]
    public void Someone_not_named_as_reader_cannot_open_it()
    {
        var envelope = SealForBoth(new JsonObject { ["a"] = 1 });

        Assert.Throws<RecordTamperedException>(() => SealedEnvelope.Open(envelope, "test.values", Context, "stranger", _readers.Stranger));
        // A reader entry used with another key is refused too, not decrypted into garbage.
        Assert.Throws<RecordTamperedException>(() => SealedEnvelope.Open(envelope, "test.values", Context, "doctor", _readers.Stranger));
    }

    [Theory]
    [InlineData("other.purpose", "patient-1", "submission-1")]
    [InlineData("test.values", "patient-2", "submission-1")]
    [InlineData("test.values", "patient-1", "submission-2")]
    public void An_envelope_moved_to_another_record_does_not_open(string purpose, string patient, string submission)
    {
        var envelope = SealForBoth(new JsonObject { ["a"] = 1 });

        Assert.Throws<RecordTamperedException>(() => SealedEnvelope.Open(envelope, purpose, [patient, submission], "doctor", _readers.Doctor));
    }

    [Fact]
    public void An_altered_body_or_key_is_refused()
    {
        var envelope = SealForBoth(new JsonObject { ["a"] = 1 });
        var body = Base64Url.DecodeFromChars(envelope["body"]!.GetValue<string>());
        body[5] ^= 1;
        var alteredBody = (JsonObject)envelope.DeepClone();
        alteredBody["body"] = Base64Url.EncodeToString(body);
        var swappedKey = (JsonObject)envelope.DeepClone();
        swappedKey["keys"]!["doctor"]!["c"] = Base64Url.EncodeToString(
            _readers.Doctor.PublicKey.Encrypt(12345).Value.ToByteArray(isUnsigned: true, isBigEndian: true));

        Assert.Throws<RecordTamperedException>(() => SealedEnvelope.Open(alteredBody, "test.values", Context, "doctor", _readers.Doctor));
        Assert.Throws<RecordTamperedException>(() => SealedEnvelope.Open(swappedKey, "test.values", Context, "doctor", _readers.Doctor));
        Assert.Throws<RecordTamperedException>(() => SealedEnvelope.Open(JsonNode.Parse("{\"v\":1}"), "test.values", Context, "doctor", _readers.Doctor));
        Assert.Throws<RecordTamperedException>(() => SealedEnvelope.Open(null, "test.values", Context, "doctor", _readers.Doctor));
    }
}
