using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Computation;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.LabResults.Catalog;
using MedSecure.Web.Features.LabResults.Submissions;

// Seal one full submission (every panel, every analyte) three ways, interleaved so machine noise hits all
// three alike: with warm pools, with every pool dry (DJN on both cores), and the old path (full randomness
// for the doctor, CRT for the patient, one value after another).
int iterations = 20;
int bits = 3072;
for (int i = 0; i < args.Length - 1; i++)
{
    if (args[i] == "--iterations") iterations = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    if (args[i] == "--bits") bits = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
}

var clock = Stopwatch.StartNew();
using var patientKeys = AccountKeys.Generate(bits);
using var doctorKeys = AccountKeys.Generate(bits);
Console.WriteLine($"Seal one full submission: {LabCatalog.Standard.Analytes.Count} values, all {LabCatalog.Standard.Panels.Count} panels, {bits}-bit keys, " +
    $"{iterations} iterations per mode, {Environment.ProcessorCount} cores, {RuntimeInfo()} (key generation {clock.Elapsed.TotalSeconds:F1} s, not measured)");

var signer = new RecordSigner();
var doctorRecord = doctorKeys.ToPublicKeyRecord();
var values = LabCatalog.Standard.Analytes
    .Select(a => new LabValue(a.Id, decimal.Round((a.Plausible.Min + a.Plausible.Max) / 2, a.Decimals), a.Decimals))
    .ToList();
SubmissionDraft Draft(int n) => new($"sub{n:D6}", $"key{n:D6}", "patient-1", "Patient One", "doctor-1", "Doctor One",
    LabCatalog.Standard.Panels.Select(p => p.Id).ToList(), values, DateTimeOffset.UtcNow);

// Warm: pools filled completely before each timed seal. Dry: pools exist (so the doctor's key instance and its
// fast-mode table are reused, as in the app) but nothing ever fills them.
var warmPools = new MaskPools(new MaskPoolOptions());
var dryPools = new MaskPools(new MaskPoolOptions());
var warmSealer = new SubmissionSealer(signer, LabCatalog.Standard, warmPools);
var drySealer = new SubmissionSealer(signer, LabCatalog.Standard, dryPools);
var warmSession = new MemorySessionKeyStoreProbe(warmPools, patientKeys);
var drySession = new MemorySessionKeyStoreProbe(dryPools, patientKeys);

// One untimed round each: builds the per-key tables, creates the pools and teaches them the batch size.
_ = warmSealer.Seal(Draft(0), doctorRecord, warmSession.Keys);
_ = drySealer.Seal(Draft(0), doctorRecord, drySession.Keys);
_ = OldPath.Seal(signer, Draft(0), doctorRecord, drySession.Keys);
foreach (var pool in dryPools.LivePools()) pool.Clear();

var warm = new List<double>();
var dry = new List<double>();
var old = new List<double>();
var warmCpu = new List<double>();
var dryCpu = new List<double>();
var oldCpu = new List<double>();
(int Pooled, int OnTheSpot) warmSplit = default, drySplit = default;
for (int n = 1; n <= iterations; n++)
{
    clock.Restart();
    while (warmPools.FillOnce()) { }
    var fill = clock.Elapsed.TotalMilliseconds;

    var warmEncryptor = warmPools.EncryptorFor(warmSession.Keys);
    Measure(warm, warmCpu, () => warmSealer.Seal(Draft(n), doctorRecord, warmSession.Keys, warmEncryptor));
    warmSplit = warmEncryptor.Totals;
    var dryEncryptor = dryPools.EncryptorFor(drySession.Keys);
    Measure(dry, dryCpu, () => drySealer.Seal(Draft(n), doctorRecord, drySession.Keys, dryEncryptor));
    drySplit = dryEncryptor.Totals;
    Measure(old, oldCpu, () => OldPath.Seal(signer, Draft(n), doctorRecord, drySession.Keys));
    if (n == 1) Console.WriteLine($"(refilling the warm pools before each round: {fill:F0} ms on one thread, not measured)");
}

// How fast the background filler (one low-priority thread, idle machine assumed) refills after one submission.
{
    using var filled = new MaskPools(Microsoft.Extensions.Options.Options.Create(new MaskPoolOptions()), TimeProvider.System, new RequestActivity(),
        Microsoft.Extensions.Logging.Abstractions.NullLogger<MaskPools>.Instance);
    var session = new MemorySessionKeyStoreProbe(filled, patientKeys);
    var sealer = new SubmissionSealer(signer, LabCatalog.Standard, filled);
    _ = sealer.Seal(Draft(0), doctorRecord, session.Keys);
    await filled.StartAsync(CancellationToken.None);
    clock.Restart();
    while (filled.LivePools().Sum(p => p.Available) < warmPools.LivePools().Sum(p => p.Available) && clock.Elapsed < TimeSpan.FromMinutes(5))
    {
        await Task.Delay(20);
    }
    Console.WriteLine($"Background filler: {clock.Elapsed.TotalMilliseconds:F0} ms to refill the pools after a submission, from the hosted service's own thread");
    await filled.StopAsync(CancellationToken.None);
}

Console.WriteLine();
Console.WriteLine("| mode | median ms | p95 ms | min ms | CPU ms (median) | Paillier encryptions pooled / on the spot | target |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---|");
Row("warm pools", warm, warmCpu, $"{warmSplit.Pooled} / {warmSplit.OnTheSpot}", "≤ 15 ms");
Row("dry pools (DJN, both cores)", dry, dryCpu, $"{drySplit.Pooled} / {drySplit.OnTheSpot}", "≤ 150 ms");
Row("old path (full + CRT, one core)", old, oldCpu, $"0 / {OldPath.Encryptions}", "");
return 0;

static void Measure(List<double> wall, List<double> cpu, Action seal)
{
    var process = Process.GetCurrentProcess();
    process.Refresh();
    var cpuBefore = process.TotalProcessorTime;
    var sw = Stopwatch.StartNew();
    seal();
    wall.Add(sw.Elapsed.TotalMilliseconds);
    process.Refresh();
    cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
}

static void Row(string name, List<double> wall, List<double> cpu, string split, string target) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {Percentile(wall, 0.5):F1} | {Percentile(wall, 0.95):F1} | {wall.Min():F1} | {Percentile(cpu, 0.5):F0} | {split} | {target} |"));

static double Percentile(List<double> samples, double p)
{
    var sorted = samples.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

static string RuntimeInfo() => $".NET {Environment.Version}, {(Debugger.IsAttached ? "debugger" : "Release")}";

/// <summary>The patient's unlocked keys as the session key store hands them out, with the session's own-key pool.</summary>
internal sealed class MemorySessionKeyStoreProbe
{
    public MemorySessionKeyStoreProbe(MaskPools pools, AccountKeys keys)
    {
        Keys = new UnlockedKeys("patient-1", keys.Duplicate()) { OwnKeyMasks = new OwnKeyMasks(pools, keys.Paillier) };
    }

    public UnlockedKeys Keys { get; }
}

/// <summary>
/// The sealing loop as it was before the pools, kept here only to measure against: every value encrypted under
/// the doctor's key with full fresh randomness and under the patient's with the CRT shortcut, one after another;
/// the comparison bits in fast mode over each checked analyte's whole plausible range, as they were sealed then
/// (60 bits for a full panel, where the cut-off windows need 9); each envelope key with full randomness.
/// Same records, same signing.
/// </summary>
internal static class OldPath
{
    /// <summary>Paillier encryptions in the last seal: two per value, the bits, three envelope keys.</summary>
    public static int Encryptions { get; private set; }

    private static JsonObject PlausibleRangeBits(IEnumerable<LabValue> values, PaillierPublicKey doctorKey)
    {
        var result = new JsonObject();
        Encryptions = 2 * values.Count() + 3;
        foreach (var value in values)
        {
            var analyte = LabCatalog.Standard.GetAnalyte(value.AnalyteId);
            if (ComparisonBits.WindowOf(analyte, FormulaCatalog.Standard) is null)
            {
                continue;
            }
            var window = ComparisonBits.PlausibleWindowOf(analyte);
            var bits = EncryptedBits.Encrypt(doctorKey, window.Encode(analyte.ToFixedPoint(value.Value)), window.BitLength);
            Encryptions += window.BitLength;
            // The entry as it was then: no lo/hi, read as the plausible window.
            result[analyte.Id] = new JsonObject { ["kid"] = doctorKey.Fingerprint, ["l"] = window.BitLength, ["c"] = string.Join('.', bits.Bits.Select(b => b.ToBase64Url())) };
        }
        return result;
    }

    private static JsonArray Panels(SubmissionDraft draft) => new(draft.PanelIds.Select(id => (JsonNode?)JsonValue.Create(id)).ToArray());

    private static int Bucket(JsonObject content) =>
        (content.ToJsonString().Length + 4 + SubmissionSealer.BucketGranularity) / SubmissionSealer.BucketGranularity * SubmissionSealer.BucketGranularity;

    public static JsonObject Seal(RecordSigner signer, SubmissionDraft draft, PublicKeyRecord doctorKeys, UnlockedKeys patient)
    {
        PaillierPublicKey doctorKey = doctorKeys.GetPaillierPublicKey();
        PaillierPublicKey patientKey = patient.Keys.PaillierPublicKey;
        var doctorValues = new JsonObject();
        var patientValues = new JsonObject();
        foreach (var value in draft.Values)
        {
            doctorValues[value.AnalyteId] = JsonNode.Parse(doctorKey.EncryptDecimal(value.Value, value.Decimals).ToJson());
            patientValues[value.AnalyteId] = JsonNode.Parse(patient.Keys.Paillier.EncryptDecimal(value.Value, value.Decimals).ToJson());
        }
        var context = SubmissionSealer.EnvelopeContext(draft.PatientUid, draft.DoctorUid, draft.SubmissionId);
        var comparisonBits = PlausibleRangeBits(draft.Values, doctorKey);
        // The contents as they were then: one ciphertext per value, no packs; padded to their own next bucket.
        var doctorContent = new JsonObject { ["panels"] = Panels(draft), ["values"] = doctorValues, [ComparisonBits.Field] = comparisonBits };
        var patientContent = new JsonObject { ["panels"] = Panels(draft), ["values"] = patientValues };
        var doctorEnvelope = SealedEnvelope.Seal(doctorContent, SubmissionSealer.DoctorCopyType, context,
            new Dictionary<string, PaillierPublicKey> { [draft.DoctorUid] = doctorKey }, Bucket(doctorContent));
        var patientEnvelope = SealedEnvelope.Seal(patientContent, SubmissionSealer.PatientCopyType, context,
            new Dictionary<string, PaillierPublicKey> { [draft.PatientUid] = patientKey, [draft.DoctorUid] = doctorKey }, Bucket(patientContent));
        var doctorCopy = new JsonObject { ["v"] = SubmissionSealer.FormatVersion, ["copy"] = "doctor", ["submissionId"] = draft.SubmissionId, ["envelope"] = doctorEnvelope };
        signer.SignInto(SubmissionSealer.DoctorCopyType, doctorCopy, patient.Keys.SigningKey);
        var patientCopy = new JsonObject { ["v"] = SubmissionSealer.FormatVersion, ["copy"] = "patient", ["submissionId"] = draft.SubmissionId, ["envelope"] = patientEnvelope };
        signer.SignInto(SubmissionSealer.PatientCopyType, patientCopy, patient.Keys.SigningKey);
        return new JsonObject { ["doctor"] = doctorCopy, ["patient"] = patientCopy };
    }
}
