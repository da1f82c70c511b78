using MedSecure.Web.Tests.Support;
using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Directory;
using MedSecure.Web.Features.Diagnostics.Computation;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Storage;
using MedSecure.Web.Storage.Sqlite;
using MedSecure.Web.Tests.Storage;

namespace MedSecure.Web.Tests.Features.LabResults;

public sealed class LabSubmissionsTests : IClassFixture<ThreeAccountKeys>, IDisposable
{
    private const string PatientUid = "patient-1", DoctorUid = "doctor-1";

    // Fixed-point integers of at least four bytes, so no encoding of them is short enough to turn
    // up by chance inside a base64 ciphertext.
    private static readonly LabValue[] Values =
    [
        new("ldl", 98765.432m, 3),
        new("hdl", 4321.0987m, 4),
        new("trig", -5678.9012m, 4),
    ];

    private readonly ThreeAccountKeys _keys;
    private readonly TempFolder _folder = new();
    private readonly SqliteTreeStore _store;
    private readonly RecordSigner _signer = new();
    private readonly LabSubmissions _submissions;
    private readonly SubmissionOpener _opener;
    private readonly DirectoryEntry _doctor;

    public LabSubmissionsTests(ThreeAccountKeys keys)
    {
        _keys = keys;
        _store = new SqliteTreeStore(Path.Combine(_folder.Path, "tree.db"));
        _submissions = new LabSubmissions(new SubmissionSealer(_signer), new SubmissionStore(_store), TimeProvider.System);
        _opener = new SubmissionOpener(_signer);
        _doctor = new DirectoryEntry(DoctorUid, "Dr Lipid", "Cardiology", keys.Doctor.ToPublicKeyRecord().Fingerprint);
    }

    public void Dispose()
    {
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    private EnvelopeReader DoctorReader => new(DoctorUid, _keys.Doctor.Paillier);

    private UnlockedKeys PatientKeys() => new(PatientUid, _keys.Patient.Duplicate());

    private async Task<SendOutcome> SendAsync(string? key = null)
    {
        using var patient = PatientKeys();
        return await _submissions.SendAsync(
            new SubmissionRequest(key ?? SubmissionIds.NewIdempotencyKey(), "Pat Ient", ["lipid"], Values),
            _doctor, _keys.Doctor.ToPublicKeyRecord(), patient);
    }

    private async Task<JsonObject> StoredAsync(string path) => (JsonObject)(await _store.GetAsync(path))!;

    [Fact]
    public async Task Stored_records_hold_no_entered_value_in_any_common_encoding()
    {
        await SendAsync();
        _store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        // Every byte the store left on disk (database, WAL, journal), read as text.
        var onDisk = string.Concat(System.IO.Directory.GetFiles(_folder.Path).Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        using var reopened = new SqliteTreeStore(Path.Combine(_folder.Path, "tree.db"));
        var tree = (await reopened.GetAsync(""))!.ToJsonString();
        Assert.Contains("inbox", tree, StringComparison.Ordinal);

        foreach (var value in Values)
        {
            foreach (var encoding in LeakEncodings(value))
            {
                Assert.DoesNotContain(encoding, tree, StringComparison.Ordinal);
                Assert.DoesNotContain(encoding, onDisk, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Doctor_copy_decrypts_to_the_entered_values_with_the_doctors_key_only()
    {
        var sent = await SendAsync();
        var entry = await StoredAsync(SubmissionStore.InboxPath(DoctorUid, sent.SubmissionId));
        using var patientVerification = _keys.Patient.ToPublicKeyRecord().CreateVerificationKey();

        var opened = _opener.OpenDoctorCopy(sent.SubmissionId, DoctorUid, entry,
            new ECDsaVerification(PatientUid, patientVerification), DoctorReader);

        Assert.Equal(["lipid"], opened.PanelIds);
        Assert.Equal(Values.Select(v => v.Value), Values.Select(v => _keys.Doctor.Paillier.DecryptDecimal(opened.Values[v.AnalyteId])));
        // The envelope is for the doctor alone: the patient and a stranger cannot even open it...
        foreach (var (uid, other) in new[] { (PatientUid, _keys.Patient), (DoctorUid, _keys.Stranger) })
        {
            Assert.Throws<RecordTamperedException>(() => SealedEnvelope.Open(entry["sealed"]!["envelope"], SubmissionSealer.DoctorCopyType,
                SubmissionSealer.EnvelopeContext(PatientUid, DoctorUid, sent.SubmissionId), uid, other.Paillier));
        }
        // ...and each value inside sits in a Paillier ciphertext only the doctor's key reads.
        foreach (var value in Values)
        {
            AssertOtherKeysCannotRead(opened.Values[value.AnalyteId], value, _keys.Patient, _keys.Stranger);
        }
    }

    [Fact]
    public async Task Patient_copy_decrypts_to_the_entered_values_with_the_patients_key_only()
    {
        var sent = await SendAsync();
        var entry = await StoredAsync(SubmissionStore.HistoryPath(PatientUid, sent.SubmissionId));
        using var patient = PatientKeys();

        var opened = _opener.OpenPatientCopy(sent.SubmissionId, entry, patient);

        Assert.Equal(Values.Select(v => v.Value), Values.Select(v => opened.Values[v.AnalyteId]));
        Assert.Equal("Dr Lipid", opened.Summary.DoctorName);
        Assert.Equal(SubmissionState.Sent, opened.Summary.State);
        Assert.Equal(["lipid"], opened.PanelIds);
        // The doctor's session can open this envelope (it computes the patient's copy of each
        // result on these ciphertexts) but cannot read the values in it; a stranger cannot open it.
        using var patientVerification = _keys.Patient.ToPublicKeyRecord().CreateVerificationKey();
        var forDoctor = _opener.OpenPatientCopyForDoctor(sent.SubmissionId, DoctorUid, entry,
            new ECDsaVerification(PatientUid, patientVerification), _keys.Patient.PaillierPublicKey, DoctorReader);
        Assert.Throws<RecordTamperedException>(() => SealedEnvelope.Open(entry["sealed"]!["envelope"], SubmissionSealer.PatientCopyType,
            SubmissionSealer.EnvelopeContext(PatientUid, DoctorUid, sent.SubmissionId), DoctorUid, _keys.Stranger.Paillier));
        foreach (var value in Values)
        {
            AssertOtherKeysCannotRead(forDoctor[value.AnalyteId], value, _keys.Doctor, _keys.Stranger);
        }
    }

    [Fact]
    public async Task The_patients_copy_carries_the_values_as_entered_in_an_envelope_only_the_patient_opens()
    {
        var sent = await SendAsync();
        var entry = await StoredAsync(SubmissionStore.HistoryPath(PatientUid, sent.SubmissionId));
        var display = entry["sealed"]![SubmissionSealer.DisplayField];
        var context = SubmissionSealer.EnvelopeContext(PatientUid, DoctorUid, sent.SubmissionId);

        var shown = SealedEnvelope.Open(display, SubmissionSealer.PatientDisplayType, context, PatientUid, _keys.Patient.Paillier);
        Assert.Equal(["98765.432", "4321.0987", "-5678.9012"], Values.Select(v => shown["values"]![v.AnalyteId]!.GetValue<string>()));
        Assert.Equal([PatientUid], SealedEnvelope.ReadersOf(display!));
        // The doctor reads the copy's other envelope (the patient-key ciphertexts), never these plaintexts.
        Assert.Throws<RecordTamperedException>(() => SealedEnvelope.Open(display, SubmissionSealer.PatientDisplayType, context, DoctorUid, _keys.Doctor.Paillier));
        Assert.Throws<RecordTamperedException>(() => SealedEnvelope.Open(display, SubmissionSealer.PatientDisplayType, context, PatientUid, _keys.Stranger.Paillier));
    }

    [Fact]
    public async Task A_copy_sealed_before_the_display_envelope_still_opens_by_decrypting_each_value()
    {
        var sent = await SendAsync();
        var entry = await StoredAsync(SubmissionStore.HistoryPath(PatientUid, sent.SubmissionId));
        using var patient = PatientKeys();
        var sealedCopy = (JsonObject)entry["sealed"]!;
        sealedCopy.Remove(SubmissionSealer.DisplayField);
        _signer.SignInto(SubmissionSealer.PatientCopyType, sealedCopy, patient.Keys.SigningKey);

        var opened = _opener.OpenPatientCopy(sent.SubmissionId, entry, patient);

        Assert.Equal(Values.Select(v => v.Value), Values.Select(v => opened.Values[v.AnalyteId]));
    }

    [Fact]
    public async Task A_display_envelope_naming_other_analytes_than_the_ciphertexts_is_refused_even_when_signed()
    {
        var sent = await SendAsync();
        var entry = await StoredAsync(SubmissionStore.HistoryPath(PatientUid, sent.SubmissionId));
        using var patient = PatientKeys();
        var sealedCopy = (JsonObject)entry["sealed"]!;
        sealedCopy[SubmissionSealer.DisplayField] = SealedEnvelope.Seal(SubmissionSealer.DisplayContent(Values.Take(2)), SubmissionSealer.PatientDisplayType,
            SubmissionSealer.EnvelopeContext(PatientUid, DoctorUid, sent.SubmissionId), new Dictionary<string, PaillierPublicKey> { [PatientUid] = _keys.Patient.PaillierPublicKey });
        _signer.SignInto(SubmissionSealer.PatientCopyType, sealedCopy, patient.Keys.SigningKey);

        Assert.Throws<RecordTamperedException>(() => _opener.OpenPatientCopy(sent.SubmissionId, entry, patient));
    }

    [Fact]
    public async Task Changing_any_stored_ciphertext_breaks_the_signature_and_nothing_is_decrypted()
    {
        var sent = await SendAsync();
        using var patient = PatientKeys();
        using var patientVerification = _keys.Patient.ToPublicKeyRecord().CreateVerificationKey();
        foreach (var value in Values)
        {
            // The attack Paillier allows without any key: E(x)·E(1) = E(x + 1), a perfectly valid ciphertext.
            // Done by a reader of the envelope (here with the doctor's key), re-sealed for the same readers.
            var history = await StoredAsync(SubmissionStore.HistoryPath(PatientUid, sent.SubmissionId));
            Shift(history, SubmissionSealer.PatientCopyType, sent.SubmissionId, value, _keys.Patient.PaillierPublicKey,
                DoctorUid, _keys.Doctor.Paillier, (PatientUid, _keys.Patient.PaillierPublicKey), (DoctorUid, _keys.Doctor.PaillierPublicKey));
            Assert.Throws<RecordTamperedException>(() => _opener.OpenPatientCopy(sent.SubmissionId, history, patient));
            Assert.Throws<RecordTamperedException>(() => _opener.OpenPatientCopyForDoctor(sent.SubmissionId, DoctorUid, history,
                new ECDsaVerification(PatientUid, patientVerification), _keys.Patient.PaillierPublicKey, DoctorReader));

            var inbox = await StoredAsync(SubmissionStore.InboxPath(DoctorUid, sent.SubmissionId));
            Shift(inbox, SubmissionSealer.DoctorCopyType, sent.SubmissionId, value, _keys.Doctor.PaillierPublicKey,
                DoctorUid, _keys.Doctor.Paillier, (DoctorUid, _keys.Doctor.PaillierPublicKey));
            Assert.Throws<RecordTamperedException>(() => _opener.OpenDoctorCopy(sent.SubmissionId, DoctorUid, inbox,
                new ECDsaVerification(PatientUid, patientVerification), DoctorReader));
        }
    }

    [Fact]
    public async Task A_copy_verified_once_in_a_request_is_verified_again_when_its_content_changes()
    {
        var sent = await SendAsync();
        var entry = await StoredAsync(SubmissionStore.InboxPath(DoctorUid, sent.SubmissionId));
        // One request's copies: the second open of the same content reuses the first; altered content never does.
        var copies = new MedSecure.Web.Features.Diagnostics.Workbench.SubmissionCopies(_store, _opener, null!);
        var first = copies.Verify(DoctorUid, sent.SubmissionId, entry, _keys.Patient.ToPublicKeyRecord(), PatientUid, DoctorReader);
        var again = copies.Verify(DoctorUid, sent.SubmissionId, entry, _keys.Patient.ToPublicKeyRecord(), PatientUid, DoctorReader);
        Assert.Equal(first.PanelIds, again.PanelIds);
        entry["sealed"]!["patientName"] = "Someone Else";
        Assert.Throws<RecordTamperedException>(() => copies.Verify(DoctorUid, sent.SubmissionId, entry, _keys.Patient.ToPublicKeyRecord(), PatientUid, DoctorReader));
        // Nor is it reused for another signer.
        entry = await StoredAsync(SubmissionStore.InboxPath(DoctorUid, sent.SubmissionId));
        Assert.Throws<RecordTamperedException>(() => copies.Verify(DoctorUid, sent.SubmissionId, entry, _keys.Stranger.ToPublicKeyRecord(), PatientUid, DoctorReader));
    }

    [Fact]
    public async Task A_record_copied_to_another_submission_id_is_refused()
    {
        var first = await SendAsync();
        var second = await SendAsync();
        var entry = await StoredAsync(SubmissionStore.HistoryPath(PatientUid, first.SubmissionId));
        using var patient = PatientKeys();

        Assert.Throws<RecordTamperedException>(() => _opener.OpenPatientCopy(second.SubmissionId, entry, patient));
    }

    [Fact]
    public async Task A_concurrent_identical_send_refused_as_a_rewrite_returns_the_first_submission()
    {
        var key = SubmissionIds.NewIdempotencyKey();
        var racing = new LabSubmissions(new SubmissionSealer(_signer), new SubmissionStore(RewriteRefusing(_store)), TimeProvider.System);
        using var patient = PatientKeys();

        var outcome = await racing.SendAsync(new SubmissionRequest(key, "Pat Ient", ["lipid"], Values), _doctor, _keys.Doctor.ToPublicKeyRecord(), patient);

        Assert.True(outcome.Replayed);
        Assert.Equal(SubmissionIds.SubmissionIdFor(PatientUid, key), outcome.SubmissionId);
        Assert.Single(await new SubmissionStore(_store).ListHistoryAsync(PatientUid));
    }

    /// <summary>The other post lands first; ours then meets security rules that refuse rewriting its records.</summary>
    private static ITreeStore RewriteRefusing(ITreeStore inner) =>
        TreeStoreInterceptor.Wrap(inner, (method, _, call) => method == nameof(ITreeStore.UpdateAsync) ? WriteThenRefuseAsync((Task)call()!) : call());

    private static async Task WriteThenRefuseAsync(Task write)
    {
        await write;
        throw new TreeStorePermissionException("PERMISSION_DENIED: false for 'update'");
    }

    [Fact]
    public async Task A_replayed_send_returns_the_first_submission_and_writes_nothing_new()
    {
        var key = SubmissionIds.NewIdempotencyKey();
        var first = await SendAsync(key);
        var before = (await _store.GetAsync(""))!.ToJsonString();

        var replay = await SendAsync(key);

        Assert.False(first.Replayed);
        Assert.True(replay.Replayed);
        Assert.Equal(first.SubmissionId, replay.SubmissionId);
        Assert.Equal(before, (await _store.GetAsync(""))!.ToJsonString());
        Assert.Single(await new SubmissionStore(_store).ListHistoryAsync(PatientUid));
    }

    [Fact]
    public async Task A_doctor_whose_keys_differ_from_the_directory_receives_nothing()
    {
        using var patient = PatientKeys();
        var impostorKeys = _keys.Stranger.ToPublicKeyRecord();

        await Assert.ThrowsAsync<DoctorKeysUnavailableException>(() => _submissions.SendAsync(
            new SubmissionRequest(SubmissionIds.NewIdempotencyKey(), "Pat Ient", ["lipid"], Values), _doctor, impostorKeys, patient));
        await Assert.ThrowsAsync<DoctorKeysUnavailableException>(() => _submissions.SendAsync(
            new SubmissionRequest(SubmissionIds.NewIdempotencyKey(), "Pat Ient", ["lipid"], Values), _doctor, null, patient));

        Assert.Null(await _store.GetAsync(""));
    }

    [Fact]
    public async Task History_lists_newest_first()
    {
        var first = await SendAsync();
        await Task.Delay(5);
        var second = await SendAsync();

        var history = await new SubmissionStore(_store).ListHistoryAsync(PatientUid);

        Assert.Equal([second.SubmissionId, first.SubmissionId], history.Select(h => h.SubmissionId));
        Assert.All(history, h => Assert.Equal("Dr Lipid", h.DoctorName));
    }

    [Fact]
    public async Task Stored_records_name_no_panel_or_analyte_outside_the_envelope()
    {
        var sent = await SendAsync();

        foreach (var path in new[] { SubmissionStore.InboxPath(DoctorUid, sent.SubmissionId), SubmissionStore.HistoryPath(PatientUid, sent.SubmissionId) })
        {
            var entry = await StoredAsync(path);
            var clear = entry.DeepClone().AsObject();
            clear["sealed"]!.AsObject().Remove("envelope");
            var tokens = Tokens(clear).ToList();
            Assert.DoesNotContain("lipid", tokens);
            Assert.All(Values, v => Assert.DoesNotContain(v.AnalyteId, tokens));
            // The patient's copy also holds the patient-only display envelope (its readers and ciphertexts only, scanned above).
            string[] display = path.StartsWith("patients/", StringComparison.Ordinal) ? [SubmissionSealer.DisplayField] : [];
            Assert.Equal(new[] { "copy", "doctorFingerprint", "doctorName", "doctorUid", "envelope", "patientName", "patientUid", "sentAt", RecordSigner.SignatureProperty, "submissionId", "v" }
                .Concat(display).Order(StringComparer.Ordinal),
                ((JsonObject)entry["sealed"]!).Select(p => p.Key).Order(StringComparer.Ordinal));
        }
        Assert.Equal(["at", "submissionId"], (await StoredAsync($"idempotency/{PatientUid}")).Single().Value!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_envelope_is_as_long_for_one_value_as_for_every_panel_of_the_catalog()
    {
        using var patient = PatientKeys();
        var catalog = MedSecure.Web.Features.LabResults.Catalog.LabCatalog.Standard;
        var one = await _submissions.SendAsync(new SubmissionRequest(SubmissionIds.NewIdempotencyKey(), "Pat Ient", ["hba1c"], [new("hba1c", 6.1m, 1)]),
            _doctor, _keys.Doctor.ToPublicKeyRecord(), patient);
        var all = await _submissions.SendAsync(new SubmissionRequest(SubmissionIds.NewIdempotencyKey(), "Pat Ient", catalog.Panels.Select(p => p.Id).ToList(),
            catalog.Analytes.Select(a => new LabValue(a.Id, a.Plausible.Max, a.Decimals)).ToList()), _doctor, _keys.Doctor.ToPublicKeyRecord(), patient);

        foreach (var pathOf in new Func<string, string>[] { id => SubmissionStore.InboxPath(DoctorUid, id), id => SubmissionStore.HistoryPath(PatientUid, id) })
        {
            var small = (await StoredAsync(pathOf(one.SubmissionId)))["sealed"]!["envelope"]!["body"]!.GetValue<string>();
            var full = (await StoredAsync(pathOf(all.SubmissionId)))["sealed"]!["envelope"]!["body"]!.GetValue<string>();
            Assert.Equal(full.Length, small.Length);
        }
        // The patient-only display envelope too, every value at its longest.
        var smallDisplay = (await StoredAsync(SubmissionStore.HistoryPath(PatientUid, one.SubmissionId)))["sealed"]![SubmissionSealer.DisplayField]!["body"]!.GetValue<string>();
        var fullDisplay = (await StoredAsync(SubmissionStore.HistoryPath(PatientUid, all.SubmissionId)))["sealed"]![SubmissionSealer.DisplayField]!["body"]!.GetValue<string>();
        Assert.Equal(fullDisplay.Length, smallDisplay.Length);
        var longest = await _submissions.SendAsync(new SubmissionRequest(SubmissionIds.NewIdempotencyKey(), "Pat Ient", catalog.Panels.Select(p => p.Id).ToList(),
            catalog.Analytes.Select(a => new LabValue(a.Id, a.Plausible.Min, a.Decimals)).ToList()), _doctor, _keys.Doctor.ToPublicKeyRecord(), patient);
        Assert.Equal(fullDisplay.Length, (await StoredAsync(SubmissionStore.HistoryPath(PatientUid, longest.SubmissionId)))["sealed"]![SubmissionSealer.DisplayField]!["body"]!.GetValue<string>().Length);
    }

    private static IEnumerable<string> Tokens(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => Tokens(p.Value).Prepend(p.Key)),
        JsonArray a => a.SelectMany(Tokens),
        JsonValue v => [v.ToString()],
        _ => [],
    };

    // Opens the envelope as one of its readers, turns E(x) into E(x + 1) and seals it again for the
    // same readers and record: a perfectly formed envelope, but no longer what the patient signed.
    private static void Shift(JsonObject entry, string purpose, string submissionId, LabValue value, PaillierPublicKey valueKey,
        string readerId, PaillierPrivateKey readerKey, params (string Uid, PaillierPublicKey Key)[] readers)
    {
        var sealedCopy = (JsonObject)entry["sealed"]!;
        var context = SubmissionSealer.EnvelopeContext(PatientUid, DoctorUid, submissionId);
        var content = SealedEnvelope.Open(sealedCopy["envelope"], purpose, context, readerId, readerKey);
        // E(P)·E(2^(k·t)) = E(P + 2^(k·t)): the value in slot t of its pack, plus one.
        var slot = content["values"]![value.AnalyteId]!;
        var packs = (JsonArray)content[PackedValues.Field]!["c"]!;
        int pack = slot["p"]!.GetValue<int>();
        var ciphertext = PaillierCiphertext.FromJson(valueKey, new JsonObject { ["kid"] = valueKey.Fingerprint, ["c"] = packs[pack]!.GetValue<string>() }.ToJsonString());
        packs[pack] = valueKey.AddPlain(ciphertext, BigInteger.One << (PackedValues.SlotBits * slot["t"]!.GetValue<int>())).ToBase64Url();
        sealedCopy["envelope"] = SealedEnvelope.Seal(content, purpose, context, readers.ToDictionary(r => r.Uid, r => r.Key));
    }

    private static void AssertOtherKeysCannotRead(EncryptedFixedPoint stored, LabValue value, params AccountKeys[] others)
    {
        var scaled = new BigInteger(value.Value * Pow10(value.Decimals));
        Assert.NotNull(stored.Slot);
        foreach (var other in others)
        {
            // The ciphertext names its key, so the library refuses it outright...
            Assert.Throws<PaillierException>(() => PaillierCiphertext.FromJson(other.PaillierPublicKey, stored.Ciphertext.ToJson()));
            // ...and decrypting the bare integer with another key is rejected or yields garbage in the value's slot.
            try
            {
                var raw = other.Paillier.Decrypt(PaillierCiphertext.FromValue(other.PaillierPublicKey, stored.Ciphertext.Value));
                Assert.NotEqual(scaled, PlaintextSlots.Read(raw, stored.Slot.Value));
            }
            catch (PaillierException)
            {
                // Out of range for that key, or an overflow: equally unreadable.
            }
        }
    }

    private static decimal Pow10(int n) => (decimal)Math.Pow(10, n);

    private static IEnumerable<string> LeakEncodings(LabValue value)
    {
        var scaled = BigInteger.Abs(new BigInteger(value.Value * Pow10(value.Decimals)));
        var text = value.Value.ToString(CultureInfo.InvariantCulture);
        var abs = Math.Abs(value.Value).ToString(CultureInfo.InvariantCulture);
        yield return text;
        yield return abs;
        yield return Math.Abs(value.Value).ToString("0.###", CultureInfo.GetCultureInfo("de-DE"));
        yield return scaled.ToString(CultureInfo.InvariantCulture);
        yield return scaled.ToString("X", CultureInfo.InvariantCulture).TrimStart('0');
        yield return scaled.ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
        foreach (var bigEndian in new[] { true, false })
        {
            var bytes = scaled.ToByteArray(isUnsigned: true, isBigEndian: bigEndian);
            yield return Convert.ToBase64String(bytes).TrimEnd('=');
            yield return Base64Url.EncodeToString(bytes);
        }
        foreach (var digits in new[] { text, abs, scaled.ToString(CultureInfo.InvariantCulture) })
        {
            yield return Convert.ToBase64String(Encoding.UTF8.GetBytes(digits)).TrimEnd('=');
            yield return Convert.ToHexString(Encoding.UTF8.GetBytes(digits));
        }
    }
}
