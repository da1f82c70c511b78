using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Computation;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.LabResults.Catalog;

namespace MedSecure.Web.Features.LabResults.Submissions;

/// <summary>The three records one submission writes, ready for one atomic multi-path update.</summary>
/// <param name="SubmissionId">Id of the submission.</param>
/// <param name="PatientUid">Author.</param>
/// <param name="DoctorUid">Recipient.</param>
/// <param name="IdempotencyKey">The form's key.</param>
/// <param name="InboxEntry">For <c>inbox/{doctorUid}/{submissionId}</c>: doctor-key ciphertexts.</param>
/// <param name="HistoryEntry">For <c>patients/{patientUid}/submissions/{submissionId}</c>: patient-key ciphertexts.</param>
/// <param name="IdempotencyRecord">For <c>idempotency/{patientUid}/{key}</c>.</param>
public sealed record SealedSubmission(
    string SubmissionId,
    string PatientUid,
    string DoctorUid,
    string IdempotencyKey,
    JsonObject InboxEntry,
    JsonObject HistoryEntry,
    JsonObject IdempotencyRecord);

/// <summary>
/// Encrypts a submission's values twice (doctor's key for computation, patient's key for their own
/// history), hides which panels and analytes it holds inside a <see cref="SealedEnvelope"/>, and
/// signs each copy with the patient's signing key. Plaintext values go no further than this class:
/// what it returns holds only ciphertexts and what lists need (names, uids, times, states).
/// </summary>
/// <remarks>
/// <para>Each stored entry has unsigned listing fields (so lists can be drawn without verifying or
/// opening every record) and a <c>sealed</c> object signed with <see cref="RecordSigner.SignInto"/>:</para>
/// <code>
/// inbox entry   = { patientUid, patientName, sentAt, state, sealed }
/// history entry = { doctorUid, doctorName, sentAt, state, sealed }
/// sealed = { v: 2, copy: "doctor" | "patient", submissionId, patientUid, patientName, doctorUid,
///            doctorName, doctorFingerprint, sentAt: unix ms, envelope, display (patient's copy only), sig }
/// envelope content (encrypted) = { panels: [panelId…], values: { analyteId: { p, t, s } }, packs: { kid, w, c: [ciphertext…] },
///                                  checkAnswers? (doctor's copy), context?: { sex?, born? } }
/// display content (encrypted for the patient alone) = { values: { analyteId: "7.1" } }
/// </code>
/// <para>Values are packed (<see cref="PackedValues"/>): value·10^s sits in slot t of pack p, and packs.c holds
/// the packs' ciphertexts (base64url) under the key whose fingerprint is packs.kid. Copies sealed before packing
/// hold <c>{ kid, c, s }</c> per value and are still read. Analyte ids are only ever keys inside the envelope: a
/// stored record says who sent what to whom and when, never which tests. Anything else that is
/// per analyte or per panel belongs inside the envelope content too (see <see cref="DoctorContent"/>),
/// and in <see cref="FullContentShape"/> so the padding still covers a full submission.</para>
/// <para>The doctor's copy is sealed for the doctor; the patient's copy for the patient and the
/// doctor, because the doctor's session computes each result a second time on the patient-key
/// ciphertexts so the patient can read it (it cannot decrypt those). The AAD binds the envelope to
/// its copy, patient, doctor and submission, so it cannot be moved to another record.</para>
/// <para>Padding: every envelope is padded to one fixed bucket per key size, large enough for every
/// panel of the catalog with every value filled (<see cref="PaddingFor"/>), so its length does not
/// say whether one HbA1c or a full blood count was sent. The price is storage and bandwidth: a
/// one-value submission stores as much as a full one (about 10 KB per copy with 3072-bit keys, the values packed).
/// Buckets by value count would be smaller but would show roughly how many values were sent, which
/// with these panels (1, 3, 4, 8 and 15 analytes) is nearly which panels.</para>
/// </remarks>
public sealed class SubmissionSealer
{
    /// <summary>Record type the doctor's copy is signed as; also its envelope's purpose.</summary>
    public const string DoctorCopyType = "lab-submission.doctor-copy";

    /// <summary>Record type the patient's copy is signed as; also its envelope's purpose.</summary>
    public const string PatientCopyType = "lab-submission.patient-copy";

    /// <summary>
    /// Purpose of the patient-only envelope <c>display</c> in the patient's copy: the values as entered, so the
    /// patient's own pages open one Paillier-wrapped key instead of decrypting every value.
    /// </summary>
    public const string PatientDisplayType = "lab-submission.patient-display";

    /// <summary>Where the patient-only display envelope sits in the patient's copy.</summary>
    public const string DisplayField = "display";

    /// <summary>Format version inside <c>sealed</c> (2: panels and values inside an envelope).</summary>
    public const int FormatVersion = 2;

    /// <summary>Envelope buckets are whole multiples of this many bytes.</summary>
    public const int BucketGranularity = 1024;

    private readonly RecordSigner _signer;
    private readonly LabCatalog _catalog;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(int CiphertextBytes, int FingerprintLength), int> _padding = new();
    private readonly Lazy<int> _displayPadding;
    private readonly MaskPools? _masks;

    /// <summary>Creates the sealer for the standard catalog, without mask pools (every mask computed on the spot).</summary>
    public SubmissionSealer(RecordSigner signer) : this(signer, LabCatalog.Standard) { }

    /// <summary>Creates the sealer; <paramref name="catalog"/> sizes the padding bucket, <paramref name="masks"/> supplies precomputed masks.</summary>
    public SubmissionSealer(RecordSigner signer, LabCatalog catalog, MaskPools? masks = null)
    {
        _signer = signer ?? throw new ArgumentNullException(nameof(signer));
        _catalog = catalog ?? throw new ArgumentNullException(nameof(catalog));
        _masks = masks;
        _displayPadding = new(() => Bucket(FullDisplayShape().ToJsonString()));
    }

    /// <summary>The envelope context: which copy of which submission, between whom.</summary>
    public static IReadOnlyList<string> EnvelopeContext(string patientUid, string doctorUid, string submissionId) =>
        [patientUid, doctorUid, submissionId];

    /// <summary>Encrypts and signs <paramref name="draft"/>.</summary>
    /// <exception cref="RecordTamperedException">The doctor's published keys are malformed or do not match their fingerprint.</exception>
    /// <exception cref="ArgumentException">The keys are not the patient's, or there is nothing to send.</exception>
    public SealedSubmission Seal(SubmissionDraft draft, PublicKeyRecord doctorKeys, UnlockedKeys patient) =>
        Seal(draft, doctorKeys, patient, _masks?.EncryptorFor(patient) ?? PooledEncryptor.Unpooled(patient?.Keys.Paillier));

    /// <summary>
    /// Encrypts and signs <paramref name="draft"/> with <paramref name="encryptor"/>: every Paillier encryption of
    /// the submission (values under both keys, sealed check answers, envelope keys) in one batch, from precomputed
    /// masks where the pools have them and on both cores for the rest.
    /// </summary>
    /// <exception cref="RecordTamperedException">The doctor's published keys are malformed or do not match their fingerprint.</exception>
    /// <exception cref="ArgumentException">The keys are not the patient's, or there is nothing to send.</exception>
    public SealedSubmission Seal(SubmissionDraft draft, PublicKeyRecord doctorKeys, UnlockedKeys patient, PooledEncryptor encryptor)
    {
        ArgumentNullException.ThrowIfNull(encryptor);
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(doctorKeys);
        ArgumentNullException.ThrowIfNull(patient);
        if (patient.UserId != draft.PatientUid)
        {
            throw new ArgumentException("These keys belong to another account.", nameof(patient));
        }
        if (draft.Values.Count == 0)
        {
            throw new ArgumentException("A submission needs at least one value.", nameof(draft));
        }

        // One instance per doctor key across requests, so its fast-mode table is built once.
        PaillierPublicKey doctorKey = encryptor.KeyFor(doctorKeys.GetPaillierPublicKey());
        PaillierPublicKey patientKey = encryptor.KeyFor(patient.Keys.PaillierPublicKey);
        // The answer of each threshold check on these values, packed, so the doctor's side learns the side of a
        // cut-off and nothing more when it asks (see CheckAnswers); only this session knows the values.
        var answersPlan = CheckAnswers.Plan(draft.Values, FormulaCatalog.Standard);
        // Both envelopes' keys are wrapped in the same batch as the values, so no encryption runs on one core after it.
        using var doctorEnvelopeKey = EnvelopeKey.New();
        using var patientEnvelopeKey = EnvelopeKey.New();
        using var displayEnvelopeKey = EnvelopeKey.New();
        var answerPacks = CheckAnswers.Plaintexts(answersPlan, doctorKey);
        // The values travel packed, a few ciphertexts per key instead of one per value (PackedValues).
        var scaled = draft.Values.Select(v => EncryptedFixedPoint.ToScaledInteger(v.Value, v.Decimals)).ToArray();
        var doctorPacks = PackedValues.Plaintexts(scaled, doctorKey);
        var patientPacks = PackedValues.Plaintexts(scaled, patientKey);
        var batch = new List<(PaillierPublicKey, BigInteger)>(doctorPacks.Count + patientPacks.Count + answerPacks.Count + 4);
        batch.AddRange(doctorPacks.Select(p => (doctorKey, p)));
        batch.AddRange(patientPacks.Select(p => (patientKey, p)));
        batch.AddRange(answerPacks.Select(p => (doctorKey, p)));
        batch.Add((doctorKey, doctorEnvelopeKey.Plaintext));
        batch.Add((doctorKey, patientEnvelopeKey.Plaintext));
        batch.Add((patientKey, patientEnvelopeKey.Plaintext));
        batch.Add((patientKey, displayEnvelopeKey.Plaintext));
        var ciphertexts = encryptor.EncryptAll(batch);

        var doctorValues = new JsonObject();
        var patientValues = new JsonObject();
        for (int i = 0; i < draft.Values.Count; i++)
        {
            var value = draft.Values[i];
            doctorValues[value.AnalyteId] = PackedValues.Entry(i, doctorKey, value.Decimals);
            patientValues[value.AnalyteId] = PackedValues.Entry(i, patientKey, value.Decimals);
        }
        int answersAt = doctorPacks.Count + patientPacks.Count;
        var doctorPacked = PackedValues.Packs(doctorKey.Fingerprint, ciphertexts.Take(doctorPacks.Count).Select(c => c.ToBase64Url()));
        var patientPacked = PackedValues.Packs(patientKey.Fingerprint, ciphertexts.Skip(doctorPacks.Count).Take(patientPacks.Count).Select(c => c.ToBase64Url()));
        int keysAt = answersAt + answerPacks.Count;
        var checkAnswers = CheckAnswers.Assemble(answersPlan, doctorKey, ciphertexts[answersAt..keysAt].Select(c => c.ToBase64Url()).ToList());

        var context = EnvelopeContext(draft.PatientUid, draft.DoctorUid, draft.SubmissionId);
        var doctorEnvelope = SealedEnvelope.Seal(WithContext(DoctorContent(draft.PanelIds, doctorValues, doctorPacked, checkAnswers), draft.Context), DoctorCopyType, context,
            doctorEnvelopeKey, [new(draft.DoctorUid, ciphertexts[keysAt])], PaddingFor(doctorKey));
        var patientEnvelope = SealedEnvelope.Seal(WithContext(PatientContent(draft.PanelIds, patientValues, patientPacked), draft.Context), PatientCopyType, context,
            patientEnvelopeKey, [new(draft.DoctorUid, ciphertexts[keysAt + 1]), new(draft.PatientUid, ciphertexts[keysAt + 2])], PaddingFor(patientKey));
        // For the patient alone (the doctor reads the other envelope of this copy, never these plaintexts).
        var displayEnvelope = SealedEnvelope.Seal(DisplayContent(draft.Values), PatientDisplayType, context,
            displayEnvelopeKey, [new(draft.PatientUid, ciphertexts[keysAt + 3])], _displayPadding.Value);

        var sentAt = draft.SentAt.ToUnixTimeMilliseconds();
        var doctorCopy = SealedCopy(draft, "doctor", doctorKeys.Fingerprint, sentAt, doctorEnvelope);
        _signer.SignInto(DoctorCopyType, doctorCopy, patient.Keys.SigningKey);
        var patientCopy = SealedCopy(draft, "patient", doctorKeys.Fingerprint, sentAt, patientEnvelope);
        patientCopy[DisplayField] = displayEnvelope;
        _signer.SignInto(PatientCopyType, patientCopy, patient.Keys.SigningKey);

        var inbox = new JsonObject
        {
            ["patientUid"] = draft.PatientUid,
            ["patientName"] = draft.PatientName,
            ["sentAt"] = sentAt,
            ["state"] = StateName(SubmissionState.Sent),
            ["sealed"] = doctorCopy,
        };
        var history = new JsonObject
        {
            ["doctorUid"] = draft.DoctorUid,
            ["doctorName"] = draft.DoctorName,
            ["sentAt"] = sentAt,
            ["state"] = StateName(SubmissionState.Sent),
            ["sealed"] = patientCopy,
        };
        // The key is random and the id a hash: nothing here says what was sent.
        var idempotency = new JsonObject { ["submissionId"] = draft.SubmissionId, ["at"] = sentAt };
        return new SealedSubmission(draft.SubmissionId, draft.PatientUid, draft.DoctorUid, draft.IdempotencyKey, inbox, history, idempotency);
    }

    /// <summary>How a state is stored.</summary>
    public static string StateName(SubmissionState state) => state.ToString().ToLowerInvariant();

    /// <summary>
    /// What the doctor's envelope holds: the panels, where each value sits in the doctor-key packs, and the packs.
    /// Per-analyte data the doctor's side needs later (e.g. the sealed check answers) is added here, never beside
    /// the envelope.
    /// </summary>
    public static JsonObject DoctorContent(IEnumerable<string> panelIds, JsonObject values, JsonObject packs, JsonObject? checkAnswers = null)
    {
        var content = new JsonObject
        {
            ["panels"] = Panels(panelIds),
            ["values"] = values,
            [PackedValues.Field] = packs,
        };
        if (checkAnswers is not null)
        {
            content[CheckAnswers.Field] = checkAnswers;
        }
        return content;
    }

    /// <summary>Where the patient context sits inside an envelope's content.</summary>
    public const string ContextField = "context";

    /// <summary>
    /// Adds the patient's optional context (sex at birth, year of birth) to an envelope's content:
    /// it is medical metadata, so it travels only inside the envelopes, for the patient and the
    /// chosen doctor, and never as a field a store reader could see. Nothing is added when none was given.
    /// </summary>
    public static JsonObject WithContext(JsonObject content, Patient.PatientContext? context)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (context is { IsEmpty: false })
        {
            content[ContextField] = context.ToJson();
        }
        return content;
    }

    /// <summary>What the patient's envelope holds: the panels, where each value sits in the patient-key packs, and the packs.</summary>
    public static JsonObject PatientContent(IEnumerable<string> panelIds, JsonObject values, JsonObject packs) => new()
    {
        ["panels"] = Panels(panelIds),
        ["values"] = values,
        [PackedValues.Field] = packs,
    };

    /// <summary>
    /// The padding bucket for envelopes under <paramref name="key"/>: the plaintext length of the
    /// largest content the catalog allows (every panel, every value, longest ciphertexts), rounded up
    /// to <see cref="BucketGranularity"/>. Every envelope for that key size is then exactly one bucket.
    /// </summary>
    public int PaddingFor(PaillierPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        // The shape depends only on the ciphertext length and the fingerprint's length, not on the key itself:
        // computed once per size instead of twice per seal.
        var size = ((int)((key.NSquared.GetBitLength() + 7) / 8), key.Fingerprint.Length);
        return _padding.GetOrAdd(size, _ =>
        {
            return Bucket(FullContentShape(key).ToJsonString());
        });
    }

    private static int Bucket(string fullShape)
    {
        int length = 4 + Encoding.UTF8.GetByteCount(fullShape);
        return (length + BucketGranularity - 1) / BucketGranularity * BucketGranularity;
    }

    /// <summary>What the patient-only display envelope holds: each value as entered, on its analyte's grid.</summary>
    public static JsonObject DisplayContent(IEnumerable<LabValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var shown = new JsonObject();
        foreach (var value in values)
        {
            shown[value.AnalyteId] = value.Value.ToString("F" + value.Decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }
        return new JsonObject { ["values"] = shown };
    }

    // Every analyte at its longest plausible value: the display envelope's bucket, so its size says nothing either.
    private JsonObject FullDisplayShape() => DisplayContent(_catalog.Analytes.Select(a =>
    {
        var longest = new[] { a.Plausible.Min, a.Plausible.Max }
            .MaxBy(v => v.ToString("F" + a.Decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture).Length);
        return new LabValue(a.Id, longest, a.Decimals);
    }));

    /// <summary>
    /// The largest envelope content possible under <paramref name="key"/>, with placeholder
    /// ciphertexts of the maximum length. Whatever <see cref="DoctorContent"/> or
    /// <see cref="PatientContent"/> gain per analyte must be added here too, or a full submission
    /// would spill into a second bucket and sizes would again tell panels apart.
    /// </summary>
    public JsonObject FullContentShape(PaillierPublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int ciphertextBytes = (int)((key.NSquared.GetBitLength() + 7) / 8);
        var longest = new string('A', (ciphertextBytes * 4 + 2) / 3);
        var values = new JsonObject();
        int index = 0;
        foreach (var analyte in _catalog.Analytes)
        {
            values[analyte.Id] = PackedValues.Entry(index++, key, analyte.Decimals);
        }
        var packs = PackedValues.Packs(key.Fingerprint, Enumerable.Repeat(longest, PackedValues.PackCount(index, key)));
        var answers = CheckAnswers.FullShape(FormulaCatalog.Standard, key, longest);
        // The longest context too, so giving one never moves a full submission into a larger bucket.
        return WithContext(DoctorContent(_catalog.Panels.Select(p => p.Id), values, packs, answers), Patient.PatientContext.Longest);
    }

    private static JsonObject SealedCopy(SubmissionDraft draft, string copy, string doctorFingerprint, long sentAt, JsonObject envelope) => new()
    {
        ["v"] = FormatVersion,
        ["copy"] = copy,
        ["submissionId"] = draft.SubmissionId,
        ["patientUid"] = draft.PatientUid,
        ["patientName"] = draft.PatientName,
        ["doctorUid"] = draft.DoctorUid,
        ["doctorName"] = draft.DoctorName,
        ["doctorFingerprint"] = doctorFingerprint,
        ["sentAt"] = sentAt,
        ["envelope"] = envelope,
    };

    // Inside the envelope the store never sees the structure, so the panel list can be an array.
    private static JsonArray Panels(IEnumerable<string> panelIds) =>
        new(panelIds.Distinct().Select(id => (JsonNode?)JsonValue.Create(id)).ToArray());
}
