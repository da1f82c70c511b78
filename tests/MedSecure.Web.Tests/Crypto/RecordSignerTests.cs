using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;

namespace MedSecure.Web.Tests.Crypto;

public sealed class RecordSignerTests : IDisposable
{
    private const string Submission = "submission";
    private readonly RecordSigner _signer = new();
    private readonly ECDsa _patientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _patientKey.Dispose();
        _otherKey.Dispose();
    }

    private static JsonObject SampleRecord() => new()
    {
        ["patientUid"] = "p-123",
        ["doctorUid"] = "d-456",
        ["createdAt"] = 1_767_225_600_000L,
        ["panel"] = "lipid",
        ["values"] = new JsonObject
        {
            ["2093-3"] = new JsonObject { ["unit"] = "mg/dL", ["forDoctor"] = "81726354918273645", ["forPatient"] = "99887766554433" },
            ["2085-9"] = new JsonObject { ["unit"] = "mg/dL", ["forDoctor"] = "1234567890123", ["forPatient"] = "3210987654321" },
        },
        ["flags"] = new JsonArray("fasting", "repeat"),
        ["urgent"] = false,
    };

    [Fact]
    public void Signed_record_verifies_with_the_authors_public_key()
    {
        JsonObject record = SampleRecord();
        string signature = _signer.Sign(Submission, record, _patientKey);

        using ECDsa publicOnly = PublicOnly(_patientKey);
        _signer.Verify(Submission, record, signature, publicOnly);
        Assert.True(_signer.IsValid(Submission, record, signature, publicOnly));
    }

    [Fact]
    public void Member_order_and_whitespace_do_not_matter()
    {
        string signature = _signer.Sign(Submission, SampleRecord(), _patientKey);
        JsonNode reordered = JsonNode.Parse("""
            {
              "urgent": false, "flags": [ "fasting", "repeat" ],
              "values": {
                "2085-9": { "forPatient": "3210987654321", "forDoctor": "1234567890123", "unit": "mg/dL" },
                "2093-3": { "forPatient": "99887766554433", "unit": "mg/dL", "forDoctor": "81726354918273645" }
              },
              "panel": "lipid", "createdAt": 1767225600000, "doctorUid": "d-456", "patientUid": "p-123"
            }
            """)!;

        _signer.Verify(Submission, reordered, signature, _patientKey);
    }

    [Fact]
    public void Changing_one_character_of_any_field_breaks_verification()
    {
        string signature = _signer.Sign(Submission, SampleRecord(), _patientKey);
        int checkedFields = 0;

        foreach (string path in LeafPaths(SampleRecord()))
        {
            foreach (bool atEnd in new[] { false, true })
            {
                JsonObject tampered = SampleRecord();
                ChangeOneCharacter(tampered, path, atEnd);

                var ex = Assert.Throws<RecordTamperedException>(() => _signer.Verify(Submission, tampered, signature, _patientKey));
                Assert.Equal("This record was changed after it was sent.", ex.Message);
            }

            checkedFields++;
        }

        Assert.Equal(13, checkedFields);
    }

    [Fact]
    public void Renaming_removing_or_adding_a_field_breaks_verification()
    {
        string signature = _signer.Sign(Submission, SampleRecord(), _patientKey);

        JsonObject renamed = SampleRecord();
        renamed["values"]!["2093-4"] = renamed["values"]!["2093-3"]!.DeepClone();
        renamed["values"]!.AsObject().Remove("2093-3");
        JsonObject removed = SampleRecord();
        removed.Remove("urgent");
        JsonObject added = SampleRecord();
        added["extra"] = "x";
        JsonObject reordered = SampleRecord();
        reordered["flags"] = new JsonArray("repeat", "fasting");

        foreach (JsonObject tampered in new[] { renamed, removed, added, reordered })
        {
            Assert.Throws<RecordTamperedException>(() => _signer.Verify(Submission, tampered, signature, _patientKey));
        }
    }

    [Fact]
    public void Another_key_or_record_type_does_not_verify()
    {
        string signature = _signer.Sign(Submission, SampleRecord(), _patientKey);

        Assert.Throws<RecordTamperedException>(() => _signer.Verify(Submission, SampleRecord(), signature, _otherKey));
        Assert.Throws<RecordTamperedException>(() => _signer.Verify("diagnosis", SampleRecord(), signature, _patientKey));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public void Missing_or_garbled_signature_is_treated_as_tampering(string signature)
    {
        Assert.Throws<RecordTamperedException>(() => _signer.Verify(Submission, SampleRecord(), signature, _patientKey));
        Assert.Throws<RecordTamperedException>(() => _signer.Verify(Submission, SampleRecord(), null, _patientKey));
    }

    [Fact]
    public void A_changed_signature_does_not_verify()
    {
        string signature = _signer.Sign(Submission, SampleRecord(), _patientKey);
        char replacement = signature[10] == 'A' ? 'B' : 'A';
        string changed = signature[..10] + replacement + signature[11..];

        Assert.Throws<RecordTamperedException>(() => _signer.Verify(Submission, SampleRecord(), changed, _patientKey));
    }

    [Fact]
    public void Nulls_and_empty_containers_are_ignored_as_the_database_drops_them()
    {
        string signature = _signer.Sign(Submission, SampleRecord(), _patientKey);
        JsonObject readBack = SampleRecord();
        readBack["note"] = null;
        readBack["attachments"] = new JsonObject();
        readBack["tags"] = new JsonArray();

        _signer.Verify(Submission, readBack, signature, _patientKey);
    }

    [Fact]
    public void Embedded_signature_round_trips_and_detects_tampering()
    {
        JsonObject record = SampleRecord();
        _signer.SignInto(Submission, record, _patientKey);
        Assert.True(record.ContainsKey(RecordSigner.SignatureProperty));

        JsonObject stored = JsonNode.Parse(record.ToJsonString())!.AsObject();
        _signer.VerifyEmbedded(Submission, stored, _patientKey);
        Assert.True(stored.ContainsKey(RecordSigner.SignatureProperty));

        stored["panel"] = "lipie";
        Assert.Throws<RecordTamperedException>(() => _signer.VerifyEmbedded(Submission, stored, _patientKey));
        stored.Remove(RecordSigner.SignatureProperty);
        stored["panel"] = "lipid";
        Assert.Throws<RecordTamperedException>(() => _signer.VerifyEmbedded(Submission, stored, _patientKey));
    }

    [Fact]
    public void The_signature_is_over_the_documented_envelope_of_the_canonical_record()
    {
        // Verifiers elsewhere (and older records) check the bytes the remarks describe, however they are produced.
        JsonObject record = SampleRecord();
        record["big"] = new string('A', 200_000);
        string signature = _signer.Sign(Submission, record, _patientKey);
        var documented = new JsonObject { ["body"] = record.DeepClone(), ["medsecure"] = "record-signature-v1", ["type"] = Submission };

        Assert.Equal(CanonicalJson.ToUtf8Bytes(documented), RecordSigner.SignedBytes(Submission, record));
        Assert.True(_patientKey.VerifyData(CanonicalJson.ToUtf8Bytes(documented),
            System.Buffers.Text.Base64Url.DecodeFromChars(signature), HashAlgorithmName.SHA256));
    }

    [Fact]
    public void An_embedded_signature_on_an_otherwise_empty_record_verifies_as_the_empty_record()
    {
        var record = new JsonObject();
        _signer.SignInto(Submission, record, _patientKey);
        Assert.Equal(RecordSigner.SignatureProperty, Assert.Single(record).Key);

        _signer.VerifyEmbedded(Submission, record, _patientKey);
        Assert.True(_signer.IsValid(Submission, new JsonObject(), record[RecordSigner.SignatureProperty]!.GetValue<string>(), _patientKey));
    }

    private sealed record Diagnosis(string PatientUid, string Ciphertext, long CreatedAt, string? Note);

    [Fact]
    public void Typed_records_sign_as_their_web_json_form()
    {
        var diagnosis = new Diagnosis("p-1", "123456789", 42, null);
        string signature = _signer.Sign("diagnosis", diagnosis, _patientKey);

        _signer.Verify("diagnosis", diagnosis, signature, _patientKey);
        _signer.Verify("diagnosis", JsonNode.Parse("""{"patientUid":"p-1","ciphertext":"123456789","createdAt":42}""")!, signature, _patientKey);
        Assert.Throws<RecordTamperedException>(() =>
            _signer.Verify("diagnosis", diagnosis with { Ciphertext = "123456788" }, signature, _patientKey));
    }

    [Fact]
    public void Only_p256_keys_sign()
    {
        using ECDsa p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<ArgumentException>(() => _signer.Sign(Submission, SampleRecord(), p384));
    }

    private static ECDsa PublicOnly(ECDsa key)
    {
        var publicKey = ECDsa.Create();
        publicKey.ImportSubjectPublicKeyInfo(key.ExportSubjectPublicKeyInfo(), out _);
        return publicKey;
    }

    private static IEnumerable<string> LeafPaths(JsonNode node, string prefix = "")
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (KeyValuePair<string, JsonNode?> member in obj)
                {
                    foreach (string path in LeafPaths(member.Value!, prefix + "/" + member.Key))
                    {
                        yield return path;
                    }
                }

                break;
            case JsonArray array:
                for (int i = 0; i < array.Count; i++)
                {
                    foreach (string path in LeafPaths(array[i]!, prefix + "/" + i))
                    {
                        yield return path;
                    }
                }

                break;
            default:
                yield return prefix;
                break;
        }
    }

    private static void ChangeOneCharacter(JsonObject root, string path, bool atEnd)
    {
        string[] parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        JsonNode parent = root;
        foreach (string part in parts[..^1])
        {
            parent = parent is JsonArray a ? a[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)]! : parent[part]!;
        }

        string last = parts[^1];
        JsonNode leaf = parent is JsonArray arr ? arr[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)]! : parent[last]!;
        JsonNode replacement = leaf.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.String => JsonValue.Create(Change(leaf.GetValue<string>(), atEnd)),
            System.Text.Json.JsonValueKind.Number => JsonValue.Create(long.Parse(Change(leaf.ToJsonString(), atEnd), System.Globalization.CultureInfo.InvariantCulture)),
            System.Text.Json.JsonValueKind.False => JsonValue.Create(true),
            System.Text.Json.JsonValueKind.True => JsonValue.Create(false),
            _ => throw new InvalidOperationException(path),
        };

        if (parent is JsonArray array)
        {
            array[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)] = replacement;
        }
        else
        {
            parent[last] = replacement;
        }

        static string Change(string text, bool atEnd)
        {
            int i = atEnd ? text.Length - 1 : 0;
            char c = text[i] == '1' ? '2' : char.IsDigit(text[i]) ? '1' : text[i] == 'a' ? 'b' : 'a';
            return text[..i] + c + text[(i + 1)..];
        }
    }
}
