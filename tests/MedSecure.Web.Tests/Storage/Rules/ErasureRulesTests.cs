using System.Net;
using System.Text.Json.Nodes;

namespace MedSecure.Web.Tests.Storage.Rules;

/// <summary>A fresh patient and doctor with one submission and every record about it, for one case.</summary>
/// <param name="P">The patient.</param>
/// <param name="D">The doctor.</param>
/// <param name="S">The submission.</param>
public sealed record ErasureCast(EmulatorUser P, EmulatorUser D, string S);

/// <summary>
/// The deletion paths of <c>emulator/firestore.rules</c>, tried as someone attacking the store
/// directly with their own ID token: a patient withdraws only their own submission and only as the
/// withdrawal shape; a record becomes deletable only while its owner's account is marked for erasure
/// (or, for a submission's results, in the withdrawal's own commit); nobody else deletes, marks or
/// forges anything; the "cannot overwrite" protections stay.
/// </summary>
public sealed class ErasureRulesTests(RulesWorld world) : IClassFixture<RulesWorld>
{
    private static RulesAccess Allow(string name, Func<RulesWorld, ErasureCast, Task<HttpResponseMessage>> attempt) => new(name, true, w => WithCast(w, attempt));

    private static RulesAccess Refuse(string name, Func<RulesWorld, ErasureCast, Task<HttpResponseMessage>> attempt) => new(name, false, w => WithCast(w, attempt));

    private static async Task<HttpResponseMessage> WithCast(RulesWorld w, Func<RulesWorld, ErasureCast, Task<HttpResponseMessage>> attempt) =>
        await attempt(w, await CastAsync(w));

    private const long SentAt = 1_764_583_200_000;

    private static async Task<ErasureCast> CastAsync(RulesWorld w)
    {
        var p = await w.E.SignUpAsync();
        var d = await w.E.SignUpAsync();
        var s = "s-" + Guid.NewGuid().ToString("N")[..16];
        var slot = RulesWorld.Slot(d, 1);
        await w.E.SeedAsync(
            ($"users/{p.Uid}", RulesWorld.Profile(p, "patient")),
            ($"users/{d.Uid}", RulesWorld.Profile(d, "doctor")),
            ($"keys/{p.Uid}/parts/public", RulesWorld.PublicKey(p)),
            ($"keys/{p.Uid}/parts/wrapped", RulesWorld.WrappedKeys(p)),
            ($"keys/{d.Uid}/parts/public", RulesWorld.PublicKey(d)),
            ($"keys/{d.Uid}/parts/wrapped", RulesWorld.WrappedKeys(d)),
            ($"directory/doctors/entries/{d.Uid}", RulesWorld.DirectoryEntry(d)),
            ($"inbox/{d.Uid}/submissions/{s}", RulesWorld.InboxEntry(p, d, s, "opened")),
            ($"patients/{p.Uid}/submissions/{s}", RulesWorld.HistoryEntry(p, d, s, "opened")),
            ($"idempotency/{p.Uid}/keys/k-{s}", new JsonObject { ["submissionId"] = s, ["at"] = 1 }),
            ($"pins/{p.Uid}/doctors/{d.Uid}", RulesWorld.Pin(p, d)),
            ($"computations/{p.Uid}/submissions/{s}", RulesWorld.Computations(d, p, s, slot)),
            ($"diagnoses/{p.Uid}/submissions/{s}", RulesWorld.Diagnosis(d, p, s)),
            ($"audit/{p.Uid}/events/{slot}", RulesWorld.AuditEvent(d, p, s)),
            ($"auditHeads/{p.Uid}/doctors/{d.Uid}", RulesWorld.Head(d, p, s, 1)),
            ($"disclosures/{d.Uid}/patients/{p.Uid}", new JsonObject { ["sealed"] = new JsonObject { ["doctorUid"] = d.Uid, ["patientUid"] = p.Uid, ["sig"] = "s" } }));
        return new ErasureCast(p, d, s);
    }

    /// <summary>inbox/{d}/{s} as the patient's withdrawal (the app signs the sealed part; the rules see its names).</summary>
    public static JsonObject Withdrawal(EmulatorUser patient, EmulatorUser doctor, string s) => new()
    {
        ["patientUid"] = patient.Uid,
        ["patientName"] = "Patient",
        ["sentAt"] = SentAt,
        ["state"] = "withdrawn",
        ["withdrawnAt"] = SentAt + 1,
        ["sealed"] = new JsonObject { ["v"] = 1, ["patientUid"] = patient.Uid, ["doctorUid"] = doctor.Uid, ["submissionId"] = s, ["withdrawnAt"] = SentAt + 1, ["sig"] = "s" },
    };

    /// <summary>patients/{p}/{s} after withdrawing: who and when only.</summary>
    public static JsonObject HistoryTombstone(EmulatorUser doctor) => new()
    {
        ["doctorUid"] = doctor.Uid,
        ["doctorName"] = "Dr",
        ["sentAt"] = SentAt,
        ["state"] = "withdrawn",
        ["withdrawnAt"] = SentAt + 1,
    };

    /// <summary>inbox/{d}/{s} after the patient deleted their account: names nobody.</summary>
    public static JsonObject Erased(EmulatorUser doctor, string s) => new()
    {
        ["sentAt"] = SentAt,
        ["state"] = "erased",
        ["erasedAt"] = SentAt + 2,
        ["sealed"] = new JsonObject { ["v"] = 1, ["doctorUid"] = doctor.Uid, ["submissionId"] = s, ["erasedAt"] = SentAt + 2, ["kid"] = "k", ["serverSig"] = "s" },
    };

    /// <summary>users/{uid} as the erasure marker.</summary>
    public static JsonObject Marker(EmulatorUser user, string role) => new()
    {
        ["uid"] = user.Uid,
        ["erasing"] = true,
        ["erasingRole"] = role,
        ["erasingSince"] = SentAt + 3,
        ["kid"] = "k",
        ["serverSig"] = "s",
    };

    /// <summary>directory/doctors/{uid} as a departed doctor's tombstone.</summary>
    public static JsonObject DirectoryTombstone(EmulatorUser doctor) => new()
    {
        ["uid"] = doctor.Uid,
        ["role"] = "doctor",
        ["deleted"] = true,
        ["deletedAt"] = SentAt + 4,
        ["publicKeys"] = new JsonObject { ["v"] = 1, ["fingerprint"] = "fp" },
        ["kid"] = "k",
        ["serverSig"] = "s",
    };

    private static JsonObject[] WithdrawWrites(RulesWorld w, ErasureCast c) =>
    [
        w.E.Set($"inbox/{c.D.Uid}/submissions/{c.S}", Withdrawal(c.P, c.D, c.S)),
        w.E.Set($"patients/{c.P.Uid}/submissions/{c.S}", HistoryTombstone(c.D)),
        w.E.Delete($"computations/{c.P.Uid}/submissions/{c.S}"),
        w.E.Delete($"diagnoses/{c.P.Uid}/submissions/{c.S}"),
    ];

    private static async Task MarkAsync(RulesWorld w, EmulatorUser user, string role) =>
        await w.E.SeedAsync(($"users/{user.Uid}", Marker(user, role)));

    public static readonly RulesAccess[] Withdrawing =
    [
        Allow("patient withdraws own submission in one commit (tombstones, results and diagnosis deleted)", (w, c) => w.E.CommitAsync(c.P.IdToken, WithdrawWrites(w, c))),
        Allow("patient withdraws again (the tombstone rewritten as itself)", async (w, c) =>
        {
            (await w.E.CommitAsync(c.P.IdToken, WithdrawWrites(w, c))).EnsureSuccessStatusCode();
            return await w.E.CommitAsync(c.P.IdToken, w.E.Set($"inbox/{c.D.Uid}/submissions/{c.S}", Withdrawal(c.P, c.D, c.S)));
        }),
        Refuse("another patient forges a withdrawal naming the sender", async (w, c) =>
        {
            var other = await w.E.SignUpAsync();
            return await w.E.CommitAsync(other.IdToken, w.E.Set($"inbox/{c.D.Uid}/submissions/{c.S}", Withdrawal(c.P, c.D, c.S)));
        }),
        Refuse("another patient forges a withdrawal naming themselves", async (w, c) =>
        {
            var other = await w.E.SignUpAsync();
            return await w.E.CommitAsync(other.IdToken, w.E.Set($"inbox/{c.D.Uid}/submissions/{c.S}", Withdrawal(other, c.D, c.S)));
        }),
        Refuse("doctor marks the submission withdrawn (hiding it)", (w, c) =>
            w.E.CommitAsync(c.D.IdToken, w.E.Patch($"inbox/{c.D.Uid}/submissions/{c.S}", new JsonObject { ["state"] = "withdrawn" }))),
        Refuse("doctor turns a withdrawn submission back into an opened one", async (w, c) =>
        {
            (await w.E.CommitAsync(c.P.IdToken, WithdrawWrites(w, c))).EnsureSuccessStatusCode();
            return await w.E.CommitAsync(c.D.IdToken, w.E.Patch($"inbox/{c.D.Uid}/submissions/{c.S}", new JsonObject { ["state"] = "opened" }));
        }),
        Refuse("patient turns a withdrawn submission back into a sent one", async (w, c) =>
        {
            (await w.E.CommitAsync(c.P.IdToken, WithdrawWrites(w, c))).EnsureSuccessStatusCode();
            return await w.E.CommitAsync(c.P.IdToken, w.E.Set($"inbox/{c.D.Uid}/submissions/{c.S}", RulesWorld.InboxEntry(c.P, c.D, c.S)));
        }),
        Refuse("doctor writes a diagnosis for a withdrawn submission", async (w, c) =>
        {
            (await w.E.CommitAsync(c.P.IdToken, WithdrawWrites(w, c))).EnsureSuccessStatusCode();
            return await w.E.CommitAsync(c.D.IdToken, w.E.Set($"diagnoses/{c.P.Uid}/submissions/{c.S}", RulesWorld.Diagnosis(c.D, c.P, c.S)));
        }),
        Refuse("patient creates a withdrawal where no submission was", (w, c) =>
        {
            var id = "s-" + Guid.NewGuid().ToString("N")[..16];
            return w.E.CommitAsync(c.P.IdToken, w.E.Set($"inbox/{c.D.Uid}/submissions/{id}", Withdrawal(c.P, c.D, id)));
        }),
        Refuse("patient's withdrawal keeps the submission's envelope in the clear part", (w, c) =>
        {
            var tombstone = Withdrawal(c.P, c.D, c.S);
            tombstone["panels"] = "hba1c";
            return w.E.CommitAsync(c.P.IdToken, w.E.Set($"inbox/{c.D.Uid}/submissions/{c.S}", tombstone));
        }),
        Refuse("patient deletes a live submission's results without withdrawing it", (w, c) =>
            w.E.CommitAsync(c.P.IdToken, w.E.Delete($"computations/{c.P.Uid}/submissions/{c.S}"))),
        Refuse("patient deletes a live submission's diagnosis without withdrawing it", (w, c) =>
            w.E.CommitAsync(c.P.IdToken, w.E.Delete($"diagnoses/{c.P.Uid}/submissions/{c.S}"))),
        Refuse("doctor deletes the diagnosis in the patient's withdrawal commit", (w, c) =>
            w.E.CommitAsync(c.D.IdToken, w.E.Set($"patients/{c.P.Uid}/submissions/{c.S}", HistoryTombstone(c.D)), w.E.Delete($"diagnoses/{c.P.Uid}/submissions/{c.S}"))),
        Refuse("patient writes the anonymous erased tombstone while their account is live", (w, c) =>
            w.E.CommitAsync(c.P.IdToken, w.E.Set($"inbox/{c.D.Uid}/submissions/{c.S}", Erased(c.D, c.S)))),
    ];

    public static readonly RulesAccess[] ErasingPatient =
    [
        Allow("patient marks own profile for erasure", (w, c) => w.E.CommitAsync(c.P.IdToken, w.E.Set($"users/{c.P.Uid}", Marker(c.P, "patient")))),
        Refuse("another patient marks a patient's profile for erasure", async (w, c) =>
        {
            var other = await w.E.SignUpAsync();
            return await w.E.CommitAsync(other.IdToken, w.E.Set($"users/{c.P.Uid}", Marker(c.P, "patient")));
        }),
        Refuse("doctor marks their patient's profile for erasure", (w, c) => w.E.CommitAsync(c.D.IdToken, w.E.Set($"users/{c.P.Uid}", Marker(c.P, "patient")))),
        Refuse("patient's marker keeps the email", (w, c) =>
        {
            var marker = Marker(c.P, "patient");
            marker["email"] = c.P.Email;
            return w.E.CommitAsync(c.P.IdToken, w.E.Set($"users/{c.P.Uid}", marker));
        }),
        Refuse("patient deletes own unmarked profile", (w, c) => w.E.CommitAsync(c.P.IdToken, w.E.Delete($"users/{c.P.Uid}"))),
        Refuse("patient deletes own wrapped keys while live", (w, c) => w.E.CommitAsync(c.P.IdToken, w.E.Delete($"keys/{c.P.Uid}/parts/wrapped"))),
        Allow("erasing patient overwrites then deletes own wrapped keys", async (w, c) =>
        {
            await MarkAsync(w, c.P, "patient");
            (await w.E.CommitAsync(c.P.IdToken, w.E.Set($"keys/{c.P.Uid}/parts/wrapped", new JsonObject { ["v"] = "random" }))).EnsureSuccessStatusCode();
            return await w.E.CommitAsync(c.P.IdToken, w.E.Delete($"keys/{c.P.Uid}/parts/wrapped"), w.E.Delete($"keys/{c.P.Uid}/parts/public"));
        }),
        Allow("erasing patient deletes every record of their own", async (w, c) =>
        {
            await MarkAsync(w, c.P, "patient");
            return await w.E.CommitAsync(c.P.IdToken,
                w.E.Set($"inbox/{c.D.Uid}/submissions/{c.S}", Erased(c.D, c.S)),
                w.E.Delete($"patients/{c.P.Uid}/submissions/{c.S}"),
                w.E.Delete($"computations/{c.P.Uid}/submissions/{c.S}"),
                w.E.Delete($"diagnoses/{c.P.Uid}/submissions/{c.S}"),
                w.E.Delete($"idempotency/{c.P.Uid}/keys/k-{c.S}"),
                w.E.Delete($"pins/{c.P.Uid}/doctors/{c.D.Uid}"),
                w.E.Delete($"audit/{c.P.Uid}/events/{RulesWorld.Slot(c.D, 1)}"),
                w.E.Delete($"auditHeads/{c.P.Uid}/doctors/{c.D.Uid}"),
                w.E.Delete($"disclosures/{c.D.Uid}/patients/{c.P.Uid}"));
        }),
        Allow("erasing patient deletes the marker last", async (w, c) =>
        {
            await MarkAsync(w, c.P, "patient");
            return await w.E.CommitAsync(c.P.IdToken, w.E.Delete($"users/{c.P.Uid}"));
        }),
        Refuse("another patient deletes an erasing patient's audit log", async (w, c) =>
        {
            await MarkAsync(w, c.P, "patient");
            var other = await w.E.SignUpAsync();
            return await w.E.CommitAsync(other.IdToken, w.E.Delete($"audit/{c.P.Uid}/events/{RulesWorld.Slot(c.D, 1)}"));
        }),
        Refuse("doctor deletes an erasing patient's audit entry about them", async (w, c) =>
        {
            await MarkAsync(w, c.P, "patient");
            return await w.E.CommitAsync(c.D.IdToken, w.E.Delete($"audit/{c.P.Uid}/events/{RulesWorld.Slot(c.D, 1)}"));
        }),
        Refuse("doctor deletes own ledger about an erasing patient", async (w, c) =>
        {
            await MarkAsync(w, c.P, "patient");
            return await w.E.CommitAsync(c.D.IdToken, w.E.Delete($"disclosures/{c.D.Uid}/patients/{c.P.Uid}"));
        }),
        Refuse("erasing patient deletes another patient's pin", async (w, c) =>
        {
            await MarkAsync(w, c.P, "patient");
            var other = await CastAsync(w);
            return await w.E.CommitAsync(c.P.IdToken, w.E.Delete($"pins/{other.P.Uid}/doctors/{other.D.Uid}"));
        }),
        Refuse("erasing patient writes an erased tombstone over another patient's submission", async (w, c) =>
        {
            await MarkAsync(w, c.P, "patient");
            var other = await CastAsync(w);
            return await w.E.CommitAsync(c.P.IdToken, w.E.Set($"inbox/{other.D.Uid}/submissions/{other.S}", Erased(other.D, other.S)));
        }),
        Refuse("erasing patient's erased tombstone still names them", async (w, c) =>
        {
            await MarkAsync(w, c.P, "patient");
            var tombstone = Erased(c.D, c.S);
            tombstone["patientUid"] = c.P.Uid;
            return await w.E.CommitAsync(c.P.IdToken, w.E.Set($"inbox/{c.D.Uid}/submissions/{c.S}", tombstone));
        }),
        Refuse("erasing patient sends a new submission", async (w, c) =>
        {
            await MarkAsync(w, c.P, "patient");
            var id = "s-" + Guid.NewGuid().ToString("N")[..16];
            return await w.E.CommitAsync(c.P.IdToken, w.E.Set($"inbox/{c.D.Uid}/submissions/{id}", RulesWorld.InboxEntry(c.P, c.D, id)));
        }),
    ];

    public static readonly RulesAccess[] ErasingDoctor =
    [
        Allow("erasing doctor replaces own directory entry by the tombstone", async (w, c) =>
        {
            await MarkAsync(w, c.D, "doctor");
            return await w.E.CommitAsync(c.D.IdToken, w.E.Set($"directory/doctors/entries/{c.D.Uid}", DirectoryTombstone(c.D)));
        }),
        Refuse("doctor's tombstone keeps the name", async (w, c) =>
        {
            await MarkAsync(w, c.D, "doctor");
            var tombstone = DirectoryTombstone(c.D);
            tombstone["displayName"] = "Dr Still Here";
            return await w.E.CommitAsync(c.D.IdToken, w.E.Set($"directory/doctors/entries/{c.D.Uid}", tombstone));
        }),
        Refuse("another doctor writes a tombstone over a doctor's entry", async (w, c) =>
        {
            var other = await w.E.SignUpAsync();
            await w.E.SeedAsync(($"users/{other.Uid}", RulesWorld.Profile(other, "doctor")));
            return await w.E.CommitAsync(other.IdToken, w.E.Set($"directory/doctors/entries/{c.D.Uid}", DirectoryTombstone(c.D)));
        }),
        Refuse("patient writes a tombstone over their doctor's entry", (w, c) =>
            w.E.CommitAsync(c.P.IdToken, w.E.Set($"directory/doctors/entries/{c.D.Uid}", DirectoryTombstone(c.D)))),
        Allow("erasing doctor lists and deletes own ledgers and inbox", async (w, c) =>
        {
            await MarkAsync(w, c.D, "doctor");
            (await w.E.ListAsync($"disclosures/{c.D.Uid}/patients", c.D.IdToken)).EnsureSuccessStatusCode();
            return await w.E.CommitAsync(c.D.IdToken,
                w.E.Delete($"disclosures/{c.D.Uid}/patients/{c.P.Uid}"),
                w.E.Delete($"inbox/{c.D.Uid}/submissions/{c.S}"),
                w.E.Delete($"keys/{c.D.Uid}/parts/wrapped"),
                w.E.Delete($"keys/{c.D.Uid}/parts/public"));
        }),
        Refuse("erasing doctor deletes the patient's copy", async (w, c) =>
        {
            await MarkAsync(w, c.D, "doctor");
            return await w.E.CommitAsync(c.D.IdToken, w.E.Delete($"patients/{c.P.Uid}/submissions/{c.S}"));
        }),
        Refuse("erasing doctor deletes the diagnosis they wrote for the patient", async (w, c) =>
        {
            await MarkAsync(w, c.D, "doctor");
            return await w.E.CommitAsync(c.D.IdToken, w.E.Delete($"diagnoses/{c.P.Uid}/submissions/{c.S}"));
        }),
        Refuse("erasing doctor deletes the patient's audit entry about them", async (w, c) =>
        {
            await MarkAsync(w, c.D, "doctor");
            return await w.E.CommitAsync(c.D.IdToken, w.E.Delete($"audit/{c.P.Uid}/events/{RulesWorld.Slot(c.D, 1)}"));
        }),
        Refuse("patient deletes an erasing doctor's inbox entry", async (w, c) =>
        {
            await MarkAsync(w, c.D, "doctor");
            return await w.E.CommitAsync(c.P.IdToken, w.E.Delete($"inbox/{c.D.Uid}/submissions/{c.S}"));
        }),
    ];

    private static TheoryData<string> Labels(RulesAccess[] table) => [.. table.Select(a => a.Label)];

    public static TheoryData<string> WithdrawingCases => Labels(Withdrawing);

    public static TheoryData<string> ErasingPatientCases => Labels(ErasingPatient);

    public static TheoryData<string> ErasingDoctorCases => Labels(ErasingDoctor);

    [SkippableTheory, MemberData(nameof(WithdrawingCases))]
    public Task Only_the_sender_withdraws_and_only_as_a_tombstone(string access) => CheckAsync(Withdrawing, access);

    [SkippableTheory, MemberData(nameof(ErasingPatientCases))]
    public Task A_patients_records_become_deletable_only_by_them_once_their_account_is_marked(string access) => CheckAsync(ErasingPatient, access);

    [SkippableTheory, MemberData(nameof(ErasingDoctorCases))]
    public Task A_doctor_deletes_their_own_records_only_and_leaves_patients_records(string access) => CheckAsync(ErasingDoctor, access);

    [SkippableFact]
    public async Task A_refused_withdrawal_commit_deletes_neither_the_results_nor_the_diagnosis()
    {
        FirestoreEmulator.Require("Firestore rules suite");
        var c = await CastAsync(world);
        var other = await world.E.SignUpAsync();
        // The other user's commit carries a valid-looking withdrawal; one refused write refuses all.
        using var refused = await world.E.CommitAsync(other.IdToken, WithdrawWrites(world, c));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.NotNull(await world.E.ReadAsAdminAsync($"computations/{c.P.Uid}/submissions/{c.S}"));
        Assert.NotNull(await world.E.ReadAsAdminAsync($"diagnoses/{c.P.Uid}/submissions/{c.S}"));
        Assert.Equal("opened", (string?)(await world.E.ReadAsAdminAsync($"inbox/{c.D.Uid}/submissions/{c.S}"))!["state"]!["stringValue"]);
    }

    private async Task CheckAsync(RulesAccess[] table, string label)
    {
        FirestoreEmulator.Require("Firestore rules suite");
        var access = table.Single(a => a.Label == label);
        using var response = await access.Attempt(world);
        var body = await response.Content.ReadAsStringAsync();
        if (access.Allowed)
        {
            Assert.True(response.IsSuccessStatusCode, $"{label}: expected success, got {(int)response.StatusCode} {body}");
        }
        else
        {
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{label}: expected 403, got {(int)response.StatusCode} {body}");
        }
    }
}
