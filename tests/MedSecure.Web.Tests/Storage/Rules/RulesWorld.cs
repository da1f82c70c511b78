using System.Text.Json.Nodes;

namespace MedSecure.Web.Tests.Storage.Rules;

/// <summary>
/// Four real Auth-emulator users and their records, seeded as admin on the Firestore layout the
/// adapter uses, with the committed rules loaded: patient A sent submission S1 to doctor X and S2
/// to doctor Y; patient B and doctor Y are the "other" parties. Uids are fresh per run, so a shared
/// emulator's other data never interferes. Empty when the emulators are not configured.
/// </summary>
public sealed class RulesWorld : IAsyncLifetime
{
    /// <summary>The emulators; null when not configured (tests then skip through <see cref="FirestoreEmulator.Require"/>).</summary>
    public FirestoreEmulator? Emulator { get; } = FirestoreEmulator.FromEnvironment();

    /// <summary>The emulators, for a test that already called <see cref="FirestoreEmulator.Require"/>.</summary>
    public FirestoreEmulator E => Emulator ?? throw new InvalidOperationException("Emulators not configured.");

    /// <summary>The patient whose records are accessed.</summary>
    public EmulatorUser A { get; private set; } = null!;

    /// <summary>Another patient.</summary>
    public EmulatorUser B { get; private set; } = null!;

    /// <summary>The doctor A sent S1 to.</summary>
    public EmulatorUser X { get; private set; } = null!;

    /// <summary>Another doctor (A sent S2 to them, not S1).</summary>
    public EmulatorUser Y { get; private set; } = null!;

    /// <summary>A's submission to X.</summary>
    public string S1 { get; } = "s1-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A's submission to Y.</summary>
    public string S2 { get; } = "s2-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A's idempotency key of S1.</summary>
    public string K1 { get; } = "k1-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>An audit event about S1: the first of X's chain in A's log.</summary>
    public string E1 => Slot(X, 1);

    private long _seq = 1;

    /// <summary>A position in X's chain for A not used yet (the head moves only forward).</summary>
    public long NextSeq() => Interlocked.Increment(ref _seq);

    /// <summary>The id of a doctor's entry <paramref name="seq"/> (of their computation record too).</summary>
    public static string Slot(EmulatorUser doctor, long seq) => $"{doctor.Uid}~{seq:D6}";

    /// <summary>A signed-out caller: no Authorization header.</summary>
    public const string? SignedOut = null;

    public async Task InitializeAsync()
    {
        if (Emulator is null)
        {
            return;
        }
        await Emulator.LoadRulesAsync(await File.ReadAllTextAsync(FirestoreEmulator.CommittedRulesPath()));
        A = await Emulator.SignUpAsync();
        B = await Emulator.SignUpAsync();
        X = await Emulator.SignUpAsync();
        Y = await Emulator.SignUpAsync();
        await Emulator.SeedAsync(
            ($"users/{A.Uid}", Profile(A, "patient")),
            ($"users/{B.Uid}", Profile(B, "patient")),
            ($"users/{X.Uid}", Profile(X, "doctor")),
            ($"users/{Y.Uid}", Profile(Y, "doctor")),
            ($"keys/{A.Uid}/parts/public", PublicKey(A)),
            ($"keys/{A.Uid}/parts/wrapped", WrappedKeys(A)),
            ($"keys/{X.Uid}/parts/public", PublicKey(X)),
            ($"keys/{X.Uid}/parts/wrapped", WrappedKeys(X)),
            ($"directory/doctors/entries/{X.Uid}", DirectoryEntry(X)),
            ($"directory/doctors/entries/{Y.Uid}", DirectoryEntry(Y)),
            ($"idempotency/{A.Uid}/keys/{K1}", new JsonObject { ["submissionId"] = S1, ["at"] = 1 }),
            ($"pins/{A.Uid}/doctors/{X.Uid}", Pin(A, X)),
            ($"patients/{A.Uid}/profile/context", PatientContext(A)),
            ($"computations/{A.Uid}/submissions/{S1}", Computations(X, A, S1, Slot(X, 1))),
            ($"audit/{A.Uid}/events/{Slot(X, 1)}", AuditEvent(X, A, S1)),
            ($"auditHeads/{A.Uid}/doctors/{X.Uid}", Head(X, A, S1, 1)));
        await SeedSubmissionAsync(A, X, S1, "opened");
        await SeedSubmissionAsync(A, Y, S2, "sent");
        await Emulator.SeedAsync(($"diagnoses/{A.Uid}/submissions/{S1}", Diagnosis(X, A, S1)));
    }

    public Task DisposeAsync()
    {
        Emulator?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Seeds a fresh submission from A to X (inbox and history), for a test that changes it.</summary>
    public async Task<string> NewSubmissionAsync(string state = "sent", bool diagnosed = false, EmulatorUser? doctor = null)
    {
        var id = "s-" + Guid.NewGuid().ToString("N")[..16];
        await SeedSubmissionAsync(A, doctor ?? X, id, state);
        if (diagnosed)
        {
            await E.SeedAsync(($"diagnoses/{A.Uid}/submissions/{id}", Diagnosis(doctor ?? X, A, id)));
        }
        return id;
    }

    /// <summary>A new doctor (profile seeded) with no chain yet.</summary>
    public async Task<EmulatorUser> NewcomerDoctorAsync()
    {
        var doctor = await E.SignUpAsync();
        await E.SeedAsync(($"users/{doctor.Uid}", Profile(doctor, "doctor")));
        return doctor;
    }

    /// <summary>A new Auth-emulator user with no profile yet (as at sign-up).</summary>
    public Task<EmulatorUser> NewcomerAsync() => E.SignUpAsync();

    private Task SeedSubmissionAsync(EmulatorUser patient, EmulatorUser doctor, string id, string state) =>
        E.SeedAsync(
            ($"inbox/{doctor.Uid}/submissions/{id}", InboxEntry(patient, doctor, id, state)),
            ($"patients/{patient.Uid}/submissions/{id}", HistoryEntry(patient, doctor, id, state)));

    // ---- record shapes, as the app writes them (ciphertexts and signatures stand in as text) ----

    /// <summary>users/{uid}.</summary>
    public static JsonObject Profile(EmulatorUser user, string role) => new()
    {
        ["uid"] = user.Uid,
        ["role"] = role,
        ["displayName"] = "Name of " + user.Uid[..6],
        ["email"] = user.Email,
        ["createdAt"] = "2026-12-01T10:00:00+00:00",
    };

    /// <summary>keys/{uid}/public.</summary>
    public static JsonObject PublicKey(EmulatorUser user) => new() { ["v"] = 1, ["fingerprint"] = "fp-" + user.Uid[..6], ["paillier"] = new JsonObject { ["n"] = "base64" }, ["sig"] = "s" };

    /// <summary>keys/{uid}/wrapped.</summary>
    public static JsonObject WrappedKeys(EmulatorUser user) => new() { ["v"] = 1, ["password"] = new JsonObject { ["salt"] = "x", ["wrapped"] = "ciphertext of " + user.Uid[..6] } };

    /// <summary>patients/{uid}/profile/context: the patient's sealed context (only its owner's uid in the clear).</summary>
    public static JsonObject PatientContext(EmulatorUser patient, EmulatorUser? namedInside = null) => new()
    {
        ["sealed"] = new JsonObject
        {
            ["patientUid"] = (namedInside ?? patient).Uid,
            ["envelope"] = new JsonObject { ["body"] = "ciphertext" },
            ["sig"] = "s",
        },
    };

    /// <summary>pins/{patientUid}/{doctorUid}.</summary>
    public static JsonObject Pin(EmulatorUser patient, EmulatorUser doctor) => new()
    {
        ["patientUid"] = patient.Uid,
        ["doctorUid"] = doctor.Uid,
        ["fingerprint"] = "fp-" + doctor.Uid[..6],
        ["pinnedAt"] = 1,
        ["sig"] = "s",
    };

    /// <summary>directory/doctors/{uid}.</summary>
    public static JsonObject DirectoryEntry(EmulatorUser doctor) => new()
    {
        ["uid"] = doctor.Uid,
        ["displayName"] = "Dr " + doctor.Uid[..6],
        ["specialty"] = "Cardiology",
        ["fingerprint"] = "fp-" + doctor.Uid[..6],
        ["searchName"] = "dr " + doctor.Uid[..6].ToLowerInvariant(),
    };

    /// <summary>The signed part both copies of a submission carry.</summary>
    public static JsonObject Sealed(EmulatorUser patient, EmulatorUser doctor, string id, string copy) => new()
    {
        ["v"] = 2,
        ["copy"] = copy,
        ["submissionId"] = id,
        ["patientUid"] = patient.Uid,
        ["doctorUid"] = doctor.Uid,
        ["sentAt"] = 1_764_583_200_000,
        // Panels and values travel inside the envelope; the rules see only who, whom and when.
        ["envelope"] = new JsonObject { ["v"] = 1, ["alg"] = "A256GCM+paillier", ["nonce"] = "n", ["body"] = "ciphertext", ["keys"] = new JsonObject { [doctor.Uid] = new JsonObject { ["kid"] = "k", ["c"] = "c" } } },
        ["sig"] = "signature",
    };

    /// <summary>inbox/{doctorUid}/{id}.</summary>
    public static JsonObject InboxEntry(EmulatorUser patient, EmulatorUser doctor, string id, string state = "sent") => new()
    {
        ["patientUid"] = patient.Uid,
        ["patientName"] = "Patient",
        ["sentAt"] = 1_764_583_200_000,
        ["state"] = state,
        ["sealed"] = Sealed(patient, doctor, id, "doctor"),
    };

    /// <summary>patients/{patientUid}/submissions/{id}.</summary>
    public static JsonObject HistoryEntry(EmulatorUser patient, EmulatorUser doctor, string id, string state = "sent") => new()
    {
        ["doctorUid"] = doctor.Uid,
        ["doctorName"] = "Dr",
        ["sentAt"] = 1_764_583_200_000,
        ["state"] = state,
        ["sealed"] = Sealed(patient, doctor, id, "patient"),
    };

    /// <summary>One computation's field value.</summary>
    public static JsonObject Computation(EmulatorUser doctor, EmulatorUser patient, string id) => new()
    {
        ["sealed"] = new JsonObject { ["v"] = 1, ["kind"] = "formula", ["submissionId"] = id, ["patientUid"] = patient.Uid, ["doctorUid"] = doctor.Uid, ["forDoctor"] = "c1", ["forPatient"] = "c2", ["sig"] = "s" },
    };

    /// <summary>computations/{patientUid}/{id}: one field per computation key.</summary>
    public static JsonObject Computations(EmulatorUser doctor, EmulatorUser patient, string id, params string[] keys) =>
        new(keys.Select(k => KeyValuePair.Create(k, (JsonNode?)Computation(doctor, patient, id))));

    /// <summary>diagnoses/{patientUid}/{id}.</summary>
    public static JsonObject Diagnosis(EmulatorUser doctor, EmulatorUser patient, string id) => new()
    {
        ["sealed"] = new JsonObject { ["v"] = 1, ["submissionId"] = id, ["patientUid"] = patient.Uid, ["doctorUid"] = doctor.Uid, ["body"] = "ciphertext", ["sig"] = "s" },
    };

    /// <summary>auditHeads/{patientUid}/doctors/{doctorUid}.</summary>
    public static JsonObject Head(EmulatorUser doctor, EmulatorUser patient, string id, long seq) => new()
    {
        ["seq"] = seq,
        ["submissionId"] = id,
        ["sealed"] = new JsonObject { ["v"] = 2, ["seq"] = seq, ["hash"] = "h", ["patientUid"] = patient.Uid, ["doctorUid"] = doctor.Uid, ["sig"] = "s" },
    };

    /// <summary>The doctor's signed statement beside the state.</summary>
    public static JsonObject StateSeal(EmulatorUser doctor, EmulatorUser patient, string id) => new()
    {
        ["sealed"] = new JsonObject { ["v"] = 1, ["state"] = "diagnosed", ["submissionId"] = id, ["patientUid"] = patient.Uid, ["doctorUid"] = doctor.Uid, ["sig"] = "s" },
    };

    /// <summary>audit/{patientUid}/{doctorUid~seq}.</summary>
    public static JsonObject AuditEvent(EmulatorUser doctor, EmulatorUser patient, string id, string? sealedDoctorUid = null) => new()
    {
        ["submissionId"] = id,
        ["doctorUid"] = doctor.Uid,
        ["at"] = 1_764_583_300_000,
        ["sealed"] = new JsonObject { ["v"] = 1, ["kind"] = "formula", ["id"] = "map", ["submissionId"] = id, ["patientUid"] = patient.Uid, ["doctorUid"] = sealedDoctorUid ?? doctor.Uid, ["sig"] = "s" },
    };
}
