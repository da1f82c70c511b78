using System.Net;
using System.Text.Json.Nodes;

namespace MedSecure.Web.Tests.Storage.Rules;

/// <summary>One access attempt and whether the rules must allow it.</summary>
/// <param name="Name">What is tried, by whom.</param>
/// <param name="Allowed">The rules' expected answer.</param>
/// <param name="Attempt">Makes the request (setting up what it needs as admin first).</param>
public sealed record RulesAccess(string Name, bool Allowed, Func<RulesWorld, Task<HttpResponseMessage>> Attempt)
{
    /// <summary>The theory's case label.</summary>
    public string Label => $"{Name}: {(Allowed ? "allowed" : "refused")}";
}

/// <summary>
/// <c>emulator/firestore.rules</c> (the committed file, loaded into the emulator) against real
/// Auth-emulator users: for every collection, each access the app needs is allowed and each other
/// one refused with 403 — own, other patient, other doctor, signed out; create, update and delete
/// apart where they differ. Patient A sent S1 to doctor X (see <see cref="RulesWorld"/>).
/// </summary>
public sealed class FirestoreRulesTests(RulesWorld world) : IClassFixture<RulesWorld>
{
    private static RulesAccess Allow(string name, Func<RulesWorld, Task<HttpResponseMessage>> attempt) => new(name, true, attempt);

    private static RulesAccess Refuse(string name, Func<RulesWorld, Task<HttpResponseMessage>> attempt) => new(name, false, attempt);

    private static TheoryData<string> Labels(RulesAccess[] table) => [.. table.Select(a => a.Label)];

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
            // 403 exactly: a 400 or 404 would mean the request itself was wrong, not refused.
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{label}: expected 403, got {(int)response.StatusCode} {body}");
        }
    }

    private static string Now(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..12];

    // ---------------------------------------------------------------- users/{uid}

    public static readonly RulesAccess[] Users =
    [
        Allow("patient reads own profile", w => w.E.GetAsync($"users/{w.A.Uid}", w.A.IdToken)),
        Allow("doctor reads own profile", w => w.E.GetAsync($"users/{w.X.Uid}", w.X.IdToken)),
        Refuse("other patient reads a patient's profile", w => w.E.GetAsync($"users/{w.A.Uid}", w.B.IdToken)),
        Refuse("doctor reads a patient's profile", w => w.E.GetAsync($"users/{w.A.Uid}", w.X.IdToken)),
        Refuse("signed out reads a profile", w => w.E.GetAsync($"users/{w.A.Uid}", RulesWorld.SignedOut)),
        Refuse("patient lists all profiles (email search)", w => w.E.ListAsync("users", w.A.IdToken)),
        Allow("new user creates own patient profile", async w =>
        {
            var n = await w.NewcomerAsync();
            return await w.E.CommitAsync(n.IdToken, w.E.Set($"users/{n.Uid}", RulesWorld.Profile(n, "patient")));
        }),
        Allow("new user creates own doctor profile", async w =>
        {
            var n = await w.NewcomerAsync();
            return await w.E.CommitAsync(n.IdToken, w.E.Set($"users/{n.Uid}", RulesWorld.Profile(n, "doctor")));
        }),
        Refuse("new user creates a profile with an unknown role", async w =>
        {
            var n = await w.NewcomerAsync();
            return await w.E.CommitAsync(n.IdToken, w.E.Set($"users/{n.Uid}", RulesWorld.Profile(n, "admin")));
        }),
        Refuse("new user creates a profile naming another uid inside", async w =>
        {
            var n = await w.NewcomerAsync();
            var profile = RulesWorld.Profile(n, "patient");
            profile["uid"] = w.A.Uid;
            return await w.E.CommitAsync(n.IdToken, w.E.Set($"users/{n.Uid}", profile));
        }),
        Refuse("user creates a profile for someone else", async w =>
        {
            var n = await w.NewcomerAsync();
            return await w.E.CommitAsync(w.B.IdToken, w.E.Set($"users/{n.Uid}", RulesWorld.Profile(n, "patient")));
        }),
        Refuse("signed out creates a profile", async w =>
        {
            var n = await w.NewcomerAsync();
            return await w.E.CommitAsync(RulesWorld.SignedOut, w.E.Set($"users/{n.Uid}", RulesWorld.Profile(n, "patient")));
        }),
        Refuse("patient changes own role to doctor", w => w.E.CommitAsync(w.A.IdToken, w.E.Patch($"users/{w.A.Uid}", new JsonObject { ["role"] = "doctor" }))),
        Refuse("doctor changes own role to patient", w => w.E.CommitAsync(w.X.IdToken, w.E.Patch($"users/{w.X.Uid}", new JsonObject { ["role"] = "patient" }))),
        Refuse("patient rewrites own profile unchanged but for the name", w =>
        {
            var profile = RulesWorld.Profile(w.A, "patient");
            profile["displayName"] = "Renamed";
            return w.E.CommitAsync(w.A.IdToken, w.E.Set($"users/{w.A.Uid}", profile));
        }),
        Refuse("patient deletes own profile", w => w.E.CommitAsync(w.A.IdToken, w.E.Delete($"users/{w.A.Uid}"))),
    ];

    public static TheoryData<string> UserCases => Labels(Users);

    [SkippableTheory, MemberData(nameof(UserCases))]
    public Task Profiles_are_private_create_only_and_keep_their_role(string access) => CheckAsync(Users, access);

    // ---------------------------------------------------------------- keys/{uid}/{public|wrapped}

    public static readonly RulesAccess[] Keys =
    [
        Allow("owner reads own public keys", w => w.E.GetAsync($"keys/{w.A.Uid}/parts/public", w.A.IdToken)),
        Allow("other patient reads a public key record", w => w.E.GetAsync($"keys/{w.A.Uid}/parts/public", w.B.IdToken)),
        Allow("doctor reads a patient's public keys", w => w.E.GetAsync($"keys/{w.A.Uid}/parts/public", w.X.IdToken)),
        Allow("patient reads a doctor's public keys", w => w.E.GetAsync($"keys/{w.X.Uid}/parts/public", w.A.IdToken)),
        Refuse("signed out reads public keys", w => w.E.GetAsync($"keys/{w.A.Uid}/parts/public", RulesWorld.SignedOut)),
        Allow("owner reads own wrapped private keys", w => w.E.GetAsync($"keys/{w.A.Uid}/parts/wrapped", w.A.IdToken)),
        Refuse("other patient reads wrapped private keys", w => w.E.GetAsync($"keys/{w.A.Uid}/parts/wrapped", w.B.IdToken)),
        Refuse("doctor reads a patient's wrapped private keys", w => w.E.GetAsync($"keys/{w.A.Uid}/parts/wrapped", w.X.IdToken)),
        Refuse("patient reads a doctor's wrapped private keys", w => w.E.GetAsync($"keys/{w.X.Uid}/parts/wrapped", w.A.IdToken)),
        Refuse("signed out reads wrapped private keys", w => w.E.GetAsync($"keys/{w.A.Uid}/parts/wrapped", RulesWorld.SignedOut)),
        Allow("owner lists both own key records", w => w.E.ListAsync($"keys/{w.A.Uid}/parts", w.A.IdToken)),
        Refuse("other user lists someone's key records", w => w.E.ListAsync($"keys/{w.A.Uid}/parts", w.X.IdToken)),
        Allow("new user writes both own key records at once", async w =>
        {
            var n = await w.NewcomerAsync();
            return await w.E.CommitAsync(n.IdToken, w.E.Set($"keys/{n.Uid}/parts/public", RulesWorld.PublicKey(n)), w.E.Set($"keys/{n.Uid}/parts/wrapped", RulesWorld.WrappedKeys(n)));
        }),
        Allow("owner re-wraps own private keys (password change)", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"keys/{w.A.Uid}/parts/wrapped", RulesWorld.WrappedKeys(w.A)))),
        Allow("owner replaces own public keys (reset without recovery code)", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"keys/{w.A.Uid}/parts/public", RulesWorld.PublicKey(w.A)))),
        Refuse("other patient replaces someone's public keys", w => w.E.CommitAsync(w.B.IdToken, w.E.Set($"keys/{w.A.Uid}/parts/public", RulesWorld.PublicKey(w.B)))),
        Refuse("doctor replaces a patient's wrapped keys", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"keys/{w.A.Uid}/parts/wrapped", RulesWorld.WrappedKeys(w.X)))),
        Refuse("signed out writes public keys", w => w.E.CommitAsync(RulesWorld.SignedOut, w.E.Set($"keys/{w.A.Uid}/parts/public", RulesWorld.PublicKey(w.A)))),
        Refuse("owner deletes own key records", w => w.E.CommitAsync(w.A.IdToken, w.E.Delete($"keys/{w.A.Uid}/parts/wrapped"))),
        Refuse("owner writes a third key part", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"keys/{w.A.Uid}/parts/extra", RulesWorld.PublicKey(w.A)))),
    ];

    public static TheoryData<string> KeyCases => Labels(Keys);

    [SkippableTheory, MemberData(nameof(KeyCases))]
    public Task Public_keys_are_readable_by_everyone_signed_in_and_private_ones_only_by_the_owner(string access) => CheckAsync(Keys, access);

    // ---------------------------------------------------------------- directory/doctors/{uid}

    public static readonly RulesAccess[] Directory =
    [
        Allow("patient reads a doctor's entry", w => w.E.GetAsync($"directory/doctors/entries/{w.X.Uid}", w.A.IdToken)),
        Allow("doctor reads another doctor's entry", w => w.E.GetAsync($"directory/doctors/entries/{w.X.Uid}", w.Y.IdToken)),
        Allow("patient searches the directory", w => w.E.ListAsync("directory/doctors/entries", w.A.IdToken)),
        Refuse("signed out reads an entry", w => w.E.GetAsync($"directory/doctors/entries/{w.X.Uid}", RulesWorld.SignedOut)),
        Refuse("signed out searches the directory", w => w.E.ListAsync("directory/doctors/entries", RulesWorld.SignedOut)),
        Allow("doctor updates own entry", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"directory/doctors/entries/{w.X.Uid}", RulesWorld.DirectoryEntry(w.X)))),
        Allow("new doctor publishes own entry", async w =>
        {
            var n = await w.NewcomerAsync();
            await w.E.SeedAsync(($"users/{n.Uid}", RulesWorld.Profile(n, "doctor")));
            return await w.E.CommitAsync(n.IdToken, w.E.Set($"directory/doctors/entries/{n.Uid}", RulesWorld.DirectoryEntry(n)));
        }),
        Refuse("patient publishes themselves as a doctor", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"directory/doctors/entries/{w.A.Uid}", RulesWorld.DirectoryEntry(w.A)))),
        Refuse("user without a profile publishes an entry", async w =>
        {
            var n = await w.NewcomerAsync();
            return await w.E.CommitAsync(n.IdToken, w.E.Set($"directory/doctors/entries/{n.Uid}", RulesWorld.DirectoryEntry(n)));
        }),
        Refuse("other doctor rewrites a doctor's entry", w => w.E.CommitAsync(w.Y.IdToken, w.E.Set($"directory/doctors/entries/{w.X.Uid}", RulesWorld.DirectoryEntry(w.X)))),
        Refuse("patient rewrites a doctor's fingerprint", w => w.E.CommitAsync(w.A.IdToken, w.E.Patch($"directory/doctors/entries/{w.X.Uid}", new JsonObject { ["fingerprint"] = "fp-evil" }))),
        Refuse("doctor's entry naming another uid inside", w =>
        {
            var entry = RulesWorld.DirectoryEntry(w.X);
            entry["uid"] = w.Y.Uid;
            return w.E.CommitAsync(w.X.IdToken, w.E.Set($"directory/doctors/entries/{w.X.Uid}", entry));
        }),
        Refuse("signed out writes an entry", w => w.E.CommitAsync(RulesWorld.SignedOut, w.E.Set($"directory/doctors/entries/{w.X.Uid}", RulesWorld.DirectoryEntry(w.X)))),
        Refuse("doctor deletes own entry", w => w.E.CommitAsync(w.X.IdToken, w.E.Delete($"directory/doctors/entries/{w.X.Uid}"))),
    ];

    public static TheoryData<string> DirectoryCases => Labels(Directory);

    [SkippableTheory, MemberData(nameof(DirectoryCases))]
    public Task Directory_entries_are_read_by_signed_in_users_and_written_only_by_their_doctor(string access) => CheckAsync(Directory, access);

    // ---------------------------------------------------------------- inbox/{doctorUid}/{submissionId}

    public static readonly RulesAccess[] Inbox =
    [
        Allow("doctor reads an entry in own inbox", w => w.E.GetAsync($"inbox/{w.X.Uid}/submissions/{w.S1}", w.X.IdToken)),
        Allow("doctor lists own inbox", w => w.E.ListAsync($"inbox/{w.X.Uid}/submissions", w.X.IdToken)),
        Refuse("other doctor reads an entry in a doctor's inbox", w => w.E.GetAsync($"inbox/{w.X.Uid}/submissions/{w.S1}", w.Y.IdToken)),
        Refuse("other doctor lists a doctor's inbox", w => w.E.ListAsync($"inbox/{w.X.Uid}/submissions", w.Y.IdToken)),
        Refuse("sending patient reads the doctor's copy", w => w.E.GetAsync($"inbox/{w.X.Uid}/submissions/{w.S1}", w.A.IdToken)),
        Refuse("other patient reads a doctor's inbox entry", w => w.E.GetAsync($"inbox/{w.X.Uid}/submissions/{w.S1}", w.B.IdToken)),
        Refuse("signed out lists an inbox", w => w.E.ListAsync($"inbox/{w.X.Uid}/submissions", RulesWorld.SignedOut)),
        Allow("patient sends as themselves to a doctor", w =>
        {
            var id = Now("new");
            return w.E.CommitAsync(w.A.IdToken, w.E.Set($"inbox/{w.X.Uid}/submissions/{id}", RulesWorld.InboxEntry(w.A, w.X, id)));
        }),
        Refuse("patient sends in another patient's name", w =>
        {
            var id = Now("forged");
            return w.E.CommitAsync(w.B.IdToken, w.E.Set($"inbox/{w.X.Uid}/submissions/{id}", RulesWorld.InboxEntry(w.A, w.X, id)));
        }),
        Refuse("patient sends an entry whose signed part names another patient", w =>
        {
            var id = Now("signed-forged");
            var entry = RulesWorld.InboxEntry(w.A, w.X, id);
            entry["sealed"]!["patientUid"] = w.B.Uid;
            return w.E.CommitAsync(w.A.IdToken, w.E.Set($"inbox/{w.X.Uid}/submissions/{id}", entry));
        }),
        Refuse("patient files an entry under another submission id than it was signed for", w =>
        {
            var id = Now("moved");
            return w.E.CommitAsync(w.A.IdToken, w.E.Set($"inbox/{w.X.Uid}/submissions/{id}", RulesWorld.InboxEntry(w.A, w.X, "other-" + id)));
        }),
        Refuse("patient sends to another patient", w =>
        {
            var id = Now("to-patient");
            return w.E.CommitAsync(w.A.IdToken, w.E.Set($"inbox/{w.B.Uid}/submissions/{id}", RulesWorld.InboxEntry(w.A, w.B, id)));
        }),
        Refuse("doctor sends to another doctor's inbox", w =>
        {
            var id = Now("doc-to-doc");
            return w.E.CommitAsync(w.X.IdToken, w.E.Set($"inbox/{w.Y.Uid}/submissions/{id}", RulesWorld.InboxEntry(w.X, w.Y, id)));
        }),
        Refuse("patient sends an entry already marked diagnosed", w =>
        {
            var id = Now("pre-diagnosed");
            return w.E.CommitAsync(w.A.IdToken, w.E.Set($"inbox/{w.X.Uid}/submissions/{id}", RulesWorld.InboxEntry(w.A, w.X, id, "diagnosed")));
        }),
        Refuse("signed out sends", w =>
        {
            var id = Now("anon");
            return w.E.CommitAsync(RulesWorld.SignedOut, w.E.Set($"inbox/{w.X.Uid}/submissions/{id}", RulesWorld.InboxEntry(w.A, w.X, id)));
        }),
        Refuse("sending patient rewrites their sent entry", async w =>
        {
            var id = await w.NewSubmissionAsync();
            return await w.E.CommitAsync(w.A.IdToken, w.E.Set($"inbox/{w.X.Uid}/submissions/{id}", RulesWorld.InboxEntry(w.A, w.X, id)));
        }),
        Refuse("sending patient marks their entry opened", async w =>
        {
            var id = await w.NewSubmissionAsync();
            return await w.E.CommitAsync(w.A.IdToken, w.E.Patch($"inbox/{w.X.Uid}/submissions/{id}", new JsonObject { ["state"] = "opened" }));
        }),
        Allow("doctor marks an entry opened", async w =>
        {
            var id = await w.NewSubmissionAsync();
            return await w.E.CommitAsync(w.X.IdToken, w.E.Patch($"inbox/{w.X.Uid}/submissions/{id}", new JsonObject { ["state"] = "opened" }));
        }),
        Allow("doctor marks a diagnosed entry diagnosed", async w =>
        {
            var id = await w.NewSubmissionAsync("opened", diagnosed: true);
            return await w.E.CommitAsync(w.X.IdToken, w.E.Patch($"inbox/{w.X.Uid}/submissions/{id}", new JsonObject { ["state"] = "diagnosed" }));
        }),
        Refuse("doctor marks diagnosed without a diagnosis", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            return await w.E.CommitAsync(w.X.IdToken, w.E.Patch($"inbox/{w.X.Uid}/submissions/{id}", new JsonObject { ["state"] = "diagnosed" }));
        }),
        Refuse("doctor moves an opened entry back to sent", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            return await w.E.CommitAsync(w.X.IdToken, w.E.Patch($"inbox/{w.X.Uid}/submissions/{id}", new JsonObject { ["state"] = "sent" }));
        }),
        Refuse("doctor sets an unknown state", async w =>
        {
            var id = await w.NewSubmissionAsync();
            return await w.E.CommitAsync(w.X.IdToken, w.E.Patch($"inbox/{w.X.Uid}/submissions/{id}", new JsonObject { ["state"] = "archived" }));
        }),
        Refuse("doctor alters the signed part of an entry", async w =>
        {
            var id = await w.NewSubmissionAsync();
            return await w.E.CommitAsync(w.X.IdToken, w.E.Patch($"inbox/{w.X.Uid}/submissions/{id}", new JsonObject { ["patientName"] = "Someone else" }));
        }),
        Refuse("other doctor marks a doctor's entry opened", async w =>
        {
            var id = await w.NewSubmissionAsync();
            return await w.E.CommitAsync(w.Y.IdToken, w.E.Patch($"inbox/{w.X.Uid}/submissions/{id}", new JsonObject { ["state"] = "opened" }));
        }),
        Refuse("doctor deletes an entry from own inbox", async w =>
        {
            var id = await w.NewSubmissionAsync();
            return await w.E.CommitAsync(w.X.IdToken, w.E.Delete($"inbox/{w.X.Uid}/submissions/{id}"));
        }),
        Refuse("sending patient deletes their entry", async w =>
        {
            var id = await w.NewSubmissionAsync();
            return await w.E.CommitAsync(w.A.IdToken, w.E.Delete($"inbox/{w.X.Uid}/submissions/{id}"));
        }),
    ];

    public static TheoryData<string> InboxCases => Labels(Inbox);

    [SkippableTheory, MemberData(nameof(InboxCases))]
    public Task Inbox_entries_are_sent_by_their_patient_and_read_and_moved_only_by_their_doctor(string access) => CheckAsync(Inbox, access);

    // ---------------------------------------------------------------- patients/{patientUid}/submissions/{id}

    public static readonly RulesAccess[] History =
    [
        Allow("patient reads own copy", w => w.E.GetAsync($"patients/{w.A.Uid}/submissions/{w.S1}", w.A.IdToken)),
        Allow("patient lists own history", w => w.E.ListAsync($"patients/{w.A.Uid}/submissions", w.A.IdToken)),
        Allow("doctor reads the patient's copy of a submission in own inbox", w => w.E.GetAsync($"patients/{w.A.Uid}/submissions/{w.S1}", w.X.IdToken)),
        Refuse("doctor reads the patient's copy of a submission sent to another doctor", w => w.E.GetAsync($"patients/{w.A.Uid}/submissions/{w.S2}", w.X.IdToken)),
        Refuse("doctor lists a patient's whole history", w => w.E.ListAsync($"patients/{w.A.Uid}/submissions", w.X.IdToken)),
        Refuse("other doctor reads a patient's copy", w => w.E.GetAsync($"patients/{w.A.Uid}/submissions/{w.S1}", w.Y.IdToken)),
        Refuse("other patient reads a patient's copy", w => w.E.GetAsync($"patients/{w.A.Uid}/submissions/{w.S1}", w.B.IdToken)),
        Refuse("other patient lists a patient's history", w => w.E.ListAsync($"patients/{w.A.Uid}/submissions", w.B.IdToken)),
        Refuse("signed out reads a patient's copy", w => w.E.GetAsync($"patients/{w.A.Uid}/submissions/{w.S1}", RulesWorld.SignedOut)),
        Allow("patient stores own copy of a new submission", w =>
        {
            var id = Now("own");
            return w.E.CommitAsync(w.A.IdToken, w.E.Set($"patients/{w.A.Uid}/submissions/{id}", RulesWorld.HistoryEntry(w.A, w.X, id)));
        }),
        Refuse("patient writes into another patient's history", w =>
        {
            var id = Now("other");
            return w.E.CommitAsync(w.B.IdToken, w.E.Set($"patients/{w.A.Uid}/submissions/{id}", RulesWorld.HistoryEntry(w.A, w.X, id)));
        }),
        Refuse("patient stores a copy whose signed part names another doctor", w =>
        {
            var id = Now("other-doctor");
            var entry = RulesWorld.HistoryEntry(w.A, w.X, id);
            entry["sealed"]!["doctorUid"] = w.Y.Uid;
            return w.E.CommitAsync(w.A.IdToken, w.E.Set($"patients/{w.A.Uid}/submissions/{id}", entry));
        }),
        Refuse("doctor writes a history of their own", w =>
        {
            var id = Now("doctor-history");
            return w.E.CommitAsync(w.X.IdToken, w.E.Set($"patients/{w.X.Uid}/submissions/{id}", RulesWorld.HistoryEntry(w.X, w.Y, id)));
        }),
        Refuse("patient stores a copy already marked opened", w =>
        {
            var id = Now("pre-opened");
            return w.E.CommitAsync(w.A.IdToken, w.E.Set($"patients/{w.A.Uid}/submissions/{id}", RulesWorld.HistoryEntry(w.A, w.X, id, "opened")));
        }),
        Refuse("signed out stores a copy", w =>
        {
            var id = Now("anon");
            return w.E.CommitAsync(RulesWorld.SignedOut, w.E.Set($"patients/{w.A.Uid}/submissions/{id}", RulesWorld.HistoryEntry(w.A, w.X, id)));
        }),
        Refuse("patient rewrites own sent copy", async w =>
        {
            var id = await w.NewSubmissionAsync();
            return await w.E.CommitAsync(w.A.IdToken, w.E.Set($"patients/{w.A.Uid}/submissions/{id}", RulesWorld.HistoryEntry(w.A, w.X, id)));
        }),
        Refuse("patient marks own copy diagnosed", async w =>
        {
            var id = await w.NewSubmissionAsync(diagnosed: true);
            return await w.E.CommitAsync(w.A.IdToken, w.E.Patch($"patients/{w.A.Uid}/submissions/{id}", new JsonObject { ["state"] = "diagnosed" }));
        }),
        Allow("doctor marks the patient's copy opened", async w =>
        {
            var id = await w.NewSubmissionAsync();
            return await w.E.CommitAsync(w.X.IdToken, w.E.Patch($"patients/{w.A.Uid}/submissions/{id}", new JsonObject { ["state"] = "opened" }));
        }),
        Refuse("doctor moves the patient's copy back to sent", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            return await w.E.CommitAsync(w.X.IdToken, w.E.Patch($"patients/{w.A.Uid}/submissions/{id}", new JsonObject { ["state"] = "sent" }));
        }),
        Refuse("doctor alters the patient's copy beyond its state", async w =>
        {
            var id = await w.NewSubmissionAsync();
            return await w.E.CommitAsync(w.X.IdToken, w.E.Patch($"patients/{w.A.Uid}/submissions/{id}", new JsonObject { ["doctorName"] = "Dr Someone" }));
        }),
        Refuse("other doctor marks the patient's copy opened", async w =>
        {
            var id = await w.NewSubmissionAsync();
            return await w.E.CommitAsync(w.Y.IdToken, w.E.Patch($"patients/{w.A.Uid}/submissions/{id}", new JsonObject { ["state"] = "opened" }));
        }),
        Refuse("patient deletes own copy", async w =>
        {
            var id = await w.NewSubmissionAsync();
            return await w.E.CommitAsync(w.A.IdToken, w.E.Delete($"patients/{w.A.Uid}/submissions/{id}"));
        }),
        Refuse("doctor deletes the patient's copy", async w =>
        {
            var id = await w.NewSubmissionAsync();
            return await w.E.CommitAsync(w.X.IdToken, w.E.Delete($"patients/{w.A.Uid}/submissions/{id}"));
        }),
    ];

    public static TheoryData<string> HistoryCases => Labels(History);

    [SkippableTheory, MemberData(nameof(HistoryCases))]
    public Task Patient_copies_are_written_once_by_the_patient_and_only_their_state_moved_by_the_doctor(string access) => CheckAsync(History, access);

    // ---------------------------------------------------------------- idempotency/{patientUid}/{key}

    public static readonly RulesAccess[] Idempotency =
    [
        Allow("patient reads own idempotency record", w => w.E.GetAsync($"idempotency/{w.A.Uid}/keys/{w.K1}", w.A.IdToken)),
        Refuse("other patient reads it", w => w.E.GetAsync($"idempotency/{w.A.Uid}/keys/{w.K1}", w.B.IdToken)),
        Refuse("doctor reads it", w => w.E.GetAsync($"idempotency/{w.A.Uid}/keys/{w.K1}", w.X.IdToken)),
        Refuse("signed out reads it", w => w.E.GetAsync($"idempotency/{w.A.Uid}/keys/{w.K1}", RulesWorld.SignedOut)),
        Allow("patient records a new key", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"idempotency/{w.A.Uid}/keys/{Now("k")}", new JsonObject { ["submissionId"] = "s", ["at"] = 2 }))),
        Refuse("patient rewrites a used key", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"idempotency/{w.A.Uid}/keys/{w.K1}", new JsonObject { ["submissionId"] = "other", ["at"] = 2 }))),
        Refuse("patient deletes a used key", w => w.E.CommitAsync(w.A.IdToken, w.E.Delete($"idempotency/{w.A.Uid}/keys/{w.K1}"))),
        Refuse("other patient records a key for a patient", w => w.E.CommitAsync(w.B.IdToken, w.E.Set($"idempotency/{w.A.Uid}/keys/{Now("k")}", new JsonObject { ["submissionId"] = "s", ["at"] = 2 }))),
        Refuse("doctor records a key for a patient", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"idempotency/{w.A.Uid}/keys/{Now("k")}", new JsonObject { ["submissionId"] = "s", ["at"] = 2 }))),
        Refuse("signed out records a key", w => w.E.CommitAsync(RulesWorld.SignedOut, w.E.Set($"idempotency/{w.A.Uid}/keys/{Now("k")}", new JsonObject { ["submissionId"] = "s", ["at"] = 2 }))),
    ];

    public static TheoryData<string> IdempotencyCases => Labels(Idempotency);

    [SkippableTheory, MemberData(nameof(IdempotencyCases))]
    public Task Idempotency_records_are_the_patients_own_and_create_only(string access) => CheckAsync(Idempotency, access);

    // ---------------------------------------------------------------- pins/{patientUid}/{doctorUid}

    public static readonly RulesAccess[] Pins =
    [
        Allow("patient reads own pin of a doctor", w => w.E.GetAsync($"pins/{w.A.Uid}/doctors/{w.X.Uid}", w.A.IdToken)),
        Refuse("other patient reads a patient's pin", w => w.E.GetAsync($"pins/{w.A.Uid}/doctors/{w.X.Uid}", w.B.IdToken)),
        Refuse("the pinned doctor reads the pin", w => w.E.GetAsync($"pins/{w.A.Uid}/doctors/{w.X.Uid}", w.X.IdToken)),
        Refuse("signed out reads a pin", w => w.E.GetAsync($"pins/{w.A.Uid}/doctors/{w.X.Uid}", RulesWorld.SignedOut)),
        Allow("patient pins a doctor at the first send", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"pins/{w.A.Uid}/doctors/{w.Y.Uid}", RulesWorld.Pin(w.A, w.Y)))),
        Allow("patient re-pins after confirming a change", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"pins/{w.A.Uid}/doctors/{w.X.Uid}", RulesWorld.Pin(w.A, w.X)))),
        Refuse("patient's pin naming another patient", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"pins/{w.A.Uid}/doctors/{w.X.Uid}", RulesWorld.Pin(w.B, w.X)))),
        Refuse("patient's pin naming another doctor inside", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"pins/{w.A.Uid}/doctors/{w.X.Uid}", RulesWorld.Pin(w.A, w.Y)))),
        Refuse("doctor rewrites a patient's pin of them", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"pins/{w.A.Uid}/doctors/{w.X.Uid}", RulesWorld.Pin(w.A, w.X)))),
        Refuse("other patient writes a patient's pin", w => w.E.CommitAsync(w.B.IdToken, w.E.Set($"pins/{w.A.Uid}/doctors/{w.X.Uid}", RulesWorld.Pin(w.A, w.X)))),
        Refuse("patient deletes own pin", w => w.E.CommitAsync(w.A.IdToken, w.E.Delete($"pins/{w.A.Uid}/doctors/{w.X.Uid}"))),
    ];

    public static TheoryData<string> PinCases => Labels(Pins);

    [SkippableTheory, MemberData(nameof(PinCases))]
    public Task Pins_of_doctor_fingerprints_are_the_patients_own(string access) => CheckAsync(Pins, access);

    // ---------------------------------------------------------------- patients/{patientUid}/profile/context

    public static readonly RulesAccess[] PatientContexts =
    [
        Allow("patient reads own context", w => w.E.GetAsync($"patients/{w.A.Uid}/profile/context", w.A.IdToken)),
        Refuse("other patient reads a patient's context", w => w.E.GetAsync($"patients/{w.A.Uid}/profile/context", w.B.IdToken)),
        Refuse("the patient's doctor reads the stored context", w => w.E.GetAsync($"patients/{w.A.Uid}/profile/context", w.X.IdToken)),
        Refuse("signed out reads a context", w => w.E.GetAsync($"patients/{w.A.Uid}/profile/context", RulesWorld.SignedOut)),
        Allow("patient saves own context", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"patients/{w.A.Uid}/profile/context", RulesWorld.PatientContext(w.A)))),
        Allow("other patient saves their own first context", w => w.E.CommitAsync(w.B.IdToken, w.E.Set($"patients/{w.B.Uid}/profile/context", RulesWorld.PatientContext(w.B)))),
        Refuse("patient's context naming another patient inside", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"patients/{w.A.Uid}/profile/context", RulesWorld.PatientContext(w.A, w.B)))),
        Refuse("patient's context with a field in the clear beside the sealed one", w =>
        {
            var context = RulesWorld.PatientContext(w.A);
            context["sex"] = "female";
            return w.E.CommitAsync(w.A.IdToken, w.E.Set($"patients/{w.A.Uid}/profile/context", context));
        }),
        Refuse("other patient writes a patient's context", w => w.E.CommitAsync(w.B.IdToken, w.E.Set($"patients/{w.A.Uid}/profile/context", RulesWorld.PatientContext(w.A)))),
        Refuse("doctor writes a patient's context", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"patients/{w.A.Uid}/profile/context", RulesWorld.PatientContext(w.A)))),
        Refuse("doctor writes a context of their own", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"patients/{w.X.Uid}/profile/context", RulesWorld.PatientContext(w.X)))),
        Refuse("patient deletes own context outside an erasure", w => w.E.CommitAsync(w.A.IdToken, w.E.Delete($"patients/{w.A.Uid}/profile/context"))),
    ];

    public static TheoryData<string> PatientContextCases => Labels(PatientContexts);

    [SkippableTheory, MemberData(nameof(PatientContextCases))]
    public Task A_patients_context_is_theirs_alone_sealed_and_never_deleted_but_with_the_account(string access) => CheckAsync(PatientContexts, access);

    // ---------------------------------------------------------------- computations/{patientUid}/{id}

    public static readonly RulesAccess[] Computations =
    [
        Allow("patient reads results computed on own submission", w => w.E.GetAsync($"computations/{w.A.Uid}/submissions/{w.S1}", w.A.IdToken)),
        Allow("doctor reads results on a submission in own inbox", w => w.E.GetAsync($"computations/{w.A.Uid}/submissions/{w.S1}", w.X.IdToken)),
        Refuse("other doctor reads them", w => w.E.GetAsync($"computations/{w.A.Uid}/submissions/{w.S1}", w.Y.IdToken)),
        Refuse("other patient reads them", w => w.E.GetAsync($"computations/{w.A.Uid}/submissions/{w.S1}", w.B.IdToken)),
        Refuse("signed out reads them", w => w.E.GetAsync($"computations/{w.A.Uid}/submissions/{w.S1}", RulesWorld.SignedOut)),
        Allow("doctor records a first computation on a submission in own inbox", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            return await w.E.CommitAsync(w.X.IdToken, w.E.Patch($"computations/{w.A.Uid}/submissions/{id}", RulesWorld.Computations(w.X, w.A, id, RulesWorld.Slot(w.X, 1))));
        }),
        Allow("doctor adds another computation", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            await w.E.SeedAsync(($"computations/{w.A.Uid}/submissions/{id}", RulesWorld.Computations(w.X, w.A, id, RulesWorld.Slot(w.X, 1))));
            return await w.E.CommitAsync(w.X.IdToken, w.E.Patch($"computations/{w.A.Uid}/submissions/{id}", RulesWorld.Computations(w.X, w.A, id, RulesWorld.Slot(w.X, 2))));
        }),
        Refuse("doctor rewrites an earlier computation", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            await w.E.SeedAsync(($"computations/{w.A.Uid}/submissions/{id}", RulesWorld.Computations(w.X, w.A, id, RulesWorld.Slot(w.X, 1))));
            var rewritten = RulesWorld.Computations(w.X, w.A, id, RulesWorld.Slot(w.X, 1));
            rewritten[RulesWorld.Slot(w.X, 1)]!["sealed"]!["forPatient"] = "another ciphertext";
            return await w.E.CommitAsync(w.X.IdToken, w.E.Patch($"computations/{w.A.Uid}/submissions/{id}", rewritten));
        }),
        Refuse("doctor removes an earlier computation (the disclosure ledger)", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            await w.E.SeedAsync(($"computations/{w.A.Uid}/submissions/{id}", RulesWorld.Computations(w.X, w.A, id, RulesWorld.Slot(w.X, 1), RulesWorld.Slot(w.X, 2))));
            return await w.E.CommitAsync(w.X.IdToken, w.E.RemoveFields($"computations/{w.A.Uid}/submissions/{id}", RulesWorld.Slot(w.X, 1)));
        }),
        Refuse("doctor deletes a submission's computations", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            await w.E.SeedAsync(($"computations/{w.A.Uid}/submissions/{id}", RulesWorld.Computations(w.X, w.A, id, RulesWorld.Slot(w.X, 1))));
            return await w.E.CommitAsync(w.X.IdToken, w.E.Delete($"computations/{w.A.Uid}/submissions/{id}"));
        }),
        Refuse("doctor computes on a submission sent to another doctor", w => w.E.CommitAsync(w.X.IdToken, w.E.Patch($"computations/{w.A.Uid}/submissions/{w.S2}", RulesWorld.Computations(w.X, w.A, w.S2, RulesWorld.Slot(w.X, 1))))),
        Refuse("doctor files a computation under another patient", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            return await w.E.CommitAsync(w.X.IdToken, w.E.Patch($"computations/{w.B.Uid}/submissions/{id}", RulesWorld.Computations(w.X, w.B, id, RulesWorld.Slot(w.X, 1))));
        }),
        Refuse("other doctor computes on a doctor's submission", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            return await w.E.CommitAsync(w.Y.IdToken, w.E.Patch($"computations/{w.A.Uid}/submissions/{id}", RulesWorld.Computations(w.Y, w.A, id, RulesWorld.Slot(w.Y, 1))));
        }),
        Refuse("patient writes results on own submission", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            return await w.E.CommitAsync(w.A.IdToken, w.E.Patch($"computations/{w.A.Uid}/submissions/{id}", RulesWorld.Computations(w.X, w.A, id, RulesWorld.Slot(w.X, 1))));
        }),
        Refuse("signed out writes results", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            return await w.E.CommitAsync(RulesWorld.SignedOut, w.E.Patch($"computations/{w.A.Uid}/submissions/{id}", RulesWorld.Computations(w.X, w.A, id, RulesWorld.Slot(w.X, 1))));
        }),
    ];

    public static TheoryData<string> ComputationCases => Labels(Computations);

    [SkippableTheory, MemberData(nameof(ComputationCases))]
    public Task Computations_are_written_only_by_the_submissions_doctor_and_never_removed(string access) => CheckAsync(Computations, access);

    // ---------------------------------------------------------------- diagnoses/{patientUid}/{id}

    public static readonly RulesAccess[] Diagnoses =
    [
        Allow("patient reads own diagnosis", w => w.E.GetAsync($"diagnoses/{w.A.Uid}/submissions/{w.S1}", w.A.IdToken)),
        Allow("doctor reads the diagnosis of a submission in own inbox", w => w.E.GetAsync($"diagnoses/{w.A.Uid}/submissions/{w.S1}", w.X.IdToken)),
        Refuse("other doctor reads it", w => w.E.GetAsync($"diagnoses/{w.A.Uid}/submissions/{w.S1}", w.Y.IdToken)),
        Refuse("other patient reads it", w => w.E.GetAsync($"diagnoses/{w.A.Uid}/submissions/{w.S1}", w.B.IdToken)),
        Refuse("signed out reads it", w => w.E.GetAsync($"diagnoses/{w.A.Uid}/submissions/{w.S1}", RulesWorld.SignedOut)),
        Allow("doctor diagnoses a submission in own inbox", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            return await w.E.CommitAsync(w.X.IdToken, w.E.Set($"diagnoses/{w.A.Uid}/submissions/{id}", RulesWorld.Diagnosis(w.X, w.A, id)));
        }),
        Refuse("doctor rewrites an existing diagnosis", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"diagnoses/{w.A.Uid}/submissions/{w.S1}", RulesWorld.Diagnosis(w.X, w.A, w.S1)))),
        Refuse("doctor deletes a diagnosis", w => w.E.CommitAsync(w.X.IdToken, w.E.Delete($"diagnoses/{w.A.Uid}/submissions/{w.S1}"))),
        Refuse("doctor signs a diagnosis in another doctor's name", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            return await w.E.CommitAsync(w.X.IdToken, w.E.Set($"diagnoses/{w.A.Uid}/submissions/{id}", RulesWorld.Diagnosis(w.Y, w.A, id)));
        }),
        Refuse("doctor diagnoses a submission sent to another doctor", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"diagnoses/{w.A.Uid}/submissions/{w.S2}", RulesWorld.Diagnosis(w.X, w.A, w.S2)))),
        Refuse("other doctor diagnoses a doctor's submission", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            return await w.E.CommitAsync(w.Y.IdToken, w.E.Set($"diagnoses/{w.A.Uid}/submissions/{id}", RulesWorld.Diagnosis(w.Y, w.A, id)));
        }),
        Refuse("patient writes own diagnosis", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            return await w.E.CommitAsync(w.A.IdToken, w.E.Set($"diagnoses/{w.A.Uid}/submissions/{id}", RulesWorld.Diagnosis(w.X, w.A, id)));
        }),
        Refuse("signed out writes a diagnosis", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            return await w.E.CommitAsync(RulesWorld.SignedOut, w.E.Set($"diagnoses/{w.A.Uid}/submissions/{id}", RulesWorld.Diagnosis(w.X, w.A, id)));
        }),
    ];

    public static TheoryData<string> DiagnosisCases => Labels(Diagnoses);

    [SkippableTheory, MemberData(nameof(DiagnosisCases))]
    public Task Diagnoses_are_created_once_by_the_submissions_doctor(string access) => CheckAsync(Diagnoses, access);

    // ---------------------------------------------------------------- audit/{patientUid}/{eventId}

    public static readonly RulesAccess[] Audit =
    [
        Allow("patient reads own audit event", w => w.E.GetAsync($"audit/{w.A.Uid}/events/{w.E1}", w.A.IdToken)),
        Allow("patient lists own audit log", w => w.E.ListAsync($"audit/{w.A.Uid}/events", w.A.IdToken)),
        Refuse("doctor reads the patient's audit log", w => w.E.ListAsync($"audit/{w.A.Uid}/events", w.X.IdToken)),
        Refuse("other doctor reads an audit event", w => w.E.GetAsync($"audit/{w.A.Uid}/events/{w.E1}", w.Y.IdToken)),
        Refuse("other patient reads an audit event", w => w.E.GetAsync($"audit/{w.A.Uid}/events/{w.E1}", w.B.IdToken)),
        Refuse("signed out reads the audit log", w => w.E.ListAsync($"audit/{w.A.Uid}/events", RulesWorld.SignedOut)),
        Allow("doctor records a decryption on a submission in own inbox", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"audit/{w.A.Uid}/events/{w.X.Uid}~{Now("e")}", RulesWorld.AuditEvent(w.X, w.A, w.S1)))),
        Refuse("doctor records an event in another doctor's name", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"audit/{w.A.Uid}/events/{w.X.Uid}~{Now("e")}", RulesWorld.AuditEvent(w.X, w.A, w.S1, sealedDoctorUid: w.Y.Uid)))),
        Refuse("doctor records an event about a submission sent to another doctor", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"audit/{w.A.Uid}/events/{w.X.Uid}~{Now("e")}", RulesWorld.AuditEvent(w.X, w.A, w.S2)))),
        Refuse("doctor records an event in another doctor's part of the chain", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"audit/{w.A.Uid}/events/{w.Y.Uid}~{Now("e")}", RulesWorld.AuditEvent(w.X, w.A, w.S1)))),
        Refuse("doctor rewrites an audit event", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"audit/{w.A.Uid}/events/{w.E1}", RulesWorld.AuditEvent(w.X, w.A, w.S1)))),
        Refuse("doctor deletes an audit event", w => w.E.CommitAsync(w.X.IdToken, w.E.Delete($"audit/{w.A.Uid}/events/{w.E1}"))),
        Refuse("patient deletes an event from own log", w => w.E.CommitAsync(w.A.IdToken, w.E.Delete($"audit/{w.A.Uid}/events/{w.E1}"))),
        Refuse("patient writes into own audit log", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"audit/{w.A.Uid}/events/{w.X.Uid}~{Now("e")}", RulesWorld.AuditEvent(w.X, w.A, w.S1)))),
        Refuse("other doctor records an event", w => w.E.CommitAsync(w.Y.IdToken, w.E.Set($"audit/{w.A.Uid}/events/{w.Y.Uid}~{Now("e")}", RulesWorld.AuditEvent(w.Y, w.A, w.S1)))),
        Refuse("signed out records an event", w => w.E.CommitAsync(RulesWorld.SignedOut, w.E.Set($"audit/{w.A.Uid}/events/{w.X.Uid}~{Now("e")}", RulesWorld.AuditEvent(w.X, w.A, w.S1)))),
    ];

    public static TheoryData<string> AuditCases => Labels(Audit);

    [SkippableTheory, MemberData(nameof(AuditCases))]
    public Task Audit_events_are_appended_by_the_decrypting_doctor_and_read_only_by_the_patient(string access) => CheckAsync(Audit, access);

    // ---------------------------------------------------------------- auditHeads/{patientUid}/{doctorUid}

    public static readonly RulesAccess[] Heads =
    [
        Allow("patient reads the head of a doctor's chain in own log", w => w.E.GetAsync($"auditHeads/{w.A.Uid}/doctors/{w.X.Uid}", w.A.IdToken)),
        Allow("doctor reads the head of own chain", w => w.E.GetAsync($"auditHeads/{w.A.Uid}/doctors/{w.X.Uid}", w.X.IdToken)),
        Refuse("other doctor reads it", w => w.E.GetAsync($"auditHeads/{w.A.Uid}/doctors/{w.X.Uid}", w.Y.IdToken)),
        Refuse("other patient reads it", w => w.E.GetAsync($"auditHeads/{w.A.Uid}/doctors/{w.X.Uid}", w.B.IdToken)),
        Refuse("signed out reads it", w => w.E.GetAsync($"auditHeads/{w.A.Uid}/doctors/{w.X.Uid}", RulesWorld.SignedOut)),
        Allow("doctor starts own chain for a patient in own inbox", async w =>
        {
            var fresh = await w.NewcomerDoctorAsync();
            var id = await w.NewSubmissionAsync("opened", doctor: fresh);
            return await w.E.CommitAsync(fresh.IdToken, w.E.Set($"auditHeads/{w.A.Uid}/doctors/{fresh.Uid}", RulesWorld.Head(fresh, w.A, id, 1)));
        }),
        Allow("doctor moves own head forward", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"auditHeads/{w.A.Uid}/doctors/{w.X.Uid}", RulesWorld.Head(w.X, w.A, w.S1, w.NextSeq())))),
        Refuse("doctor moves own head back", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"auditHeads/{w.A.Uid}/doctors/{w.X.Uid}", RulesWorld.Head(w.X, w.A, w.S1, 0)))),
        Refuse("doctor deletes own head", w => w.E.CommitAsync(w.X.IdToken, w.E.Delete($"auditHeads/{w.A.Uid}/doctors/{w.X.Uid}"))),
        Refuse("doctor writes another doctor's head", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"auditHeads/{w.A.Uid}/doctors/{w.Y.Uid}", RulesWorld.Head(w.Y, w.A, w.S1, 5)))),
        Refuse("doctor starts a chain for a submission sent to another doctor", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"auditHeads/{w.B.Uid}/doctors/{w.X.Uid}", RulesWorld.Head(w.X, w.B, w.S2, 1)))),
        Refuse("patient writes a head in own log", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"auditHeads/{w.A.Uid}/doctors/{w.X.Uid}", RulesWorld.Head(w.X, w.A, w.S1, 99)))),
        Refuse("signed out writes a head", w => w.E.CommitAsync(RulesWorld.SignedOut, w.E.Set($"auditHeads/{w.A.Uid}/doctors/{w.X.Uid}", RulesWorld.Head(w.X, w.A, w.S1, 99)))),
    ];

    public static TheoryData<string> HeadCases => Labels(Heads);

    [SkippableTheory, MemberData(nameof(HeadCases))]
    public Task Chain_heads_move_forward_only_by_their_doctor_and_are_read_by_the_patient(string access) => CheckAsync(Heads, access);
    // ---------------------------------------------------------------- disclosures/{doctorUid}/patients/{patientUid}

    private static JsonObject Ledger(EmulatorUser doctor, EmulatorUser patient, string? sealedDoctorUid = null) => new()
    {
        ["sealed"] = new JsonObject { ["v"] = 1, ["doctorUid"] = sealedDoctorUid ?? doctor.Uid, ["patientUid"] = patient.Uid, ["count"] = 0, ["envelope"] = new JsonObject { ["ct"] = "x" }, ["sig"] = "s" },
    };

    public static readonly RulesAccess[] Disclosures =
    [
        Allow("doctor writes and rewrites own ledger for a patient", async w =>
        {
            var first = await w.E.CommitAsync(w.X.IdToken, w.E.Set($"disclosures/{w.X.Uid}/patients/{w.A.Uid}", Ledger(w.X, w.A)));
            return first.IsSuccessStatusCode ? await w.E.CommitAsync(w.X.IdToken, w.E.Set($"disclosures/{w.X.Uid}/patients/{w.A.Uid}", Ledger(w.X, w.A))) : first;
        }),
        Allow("doctor reads own ledger", async w =>
        {
            await w.E.CommitAsync(w.X.IdToken, w.E.Set($"disclosures/{w.X.Uid}/patients/{w.B.Uid}", Ledger(w.X, w.B)));
            return await w.E.GetAsync($"disclosures/{w.X.Uid}/patients/{w.B.Uid}", w.X.IdToken);
        }),
        Refuse("patient reads the doctor's ledger about them", w => w.E.GetAsync($"disclosures/{w.X.Uid}/patients/{w.A.Uid}", w.A.IdToken)),
        Refuse("other doctor reads it", w => w.E.GetAsync($"disclosures/{w.X.Uid}/patients/{w.A.Uid}", w.Y.IdToken)),
        Refuse("other doctor writes it", w => w.E.CommitAsync(w.Y.IdToken, w.E.Set($"disclosures/{w.X.Uid}/patients/{w.A.Uid}", Ledger(w.X, w.A)))),
        Refuse("patient writes (resets) it", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"disclosures/{w.X.Uid}/patients/{w.A.Uid}", Ledger(w.X, w.A)))),
        Refuse("doctor writes a ledger naming another doctor", w => w.E.CommitAsync(w.X.IdToken, w.E.Set($"disclosures/{w.X.Uid}/patients/{w.A.Uid}", Ledger(w.X, w.A, sealedDoctorUid: w.Y.Uid)))),
        Refuse("doctor deletes own ledger", w => w.E.CommitAsync(w.X.IdToken, w.E.Delete($"disclosures/{w.X.Uid}/patients/{w.A.Uid}"))),
        Refuse("patient keeps a ledger as if a doctor", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"disclosures/{w.A.Uid}/patients/{w.B.Uid}", Ledger(w.A, w.B)))),
        Refuse("signed out reads a ledger", w => w.E.GetAsync($"disclosures/{w.X.Uid}/patients/{w.A.Uid}", RulesWorld.SignedOut)),
    ];

    public static TheoryData<string> DisclosureCases => Labels(Disclosures);

    [SkippableTheory, MemberData(nameof(DisclosureCases))]
    public Task A_disclosure_ledger_is_read_and_written_only_by_its_doctor(string access) => CheckAsync(Disclosures, access);

    // ---------------------------------------------------------------- the app's own multi-document writes, and the rest

    public static readonly RulesAccess[] AppWrites =
    [
        Allow("patient sends: inbox, own copy and idempotency record in one commit", w =>
        {
            var id = Now("sent");
            return w.E.CommitAsync(w.A.IdToken,
                w.E.Set($"inbox/{w.X.Uid}/submissions/{id}", RulesWorld.InboxEntry(w.A, w.X, id)),
                w.E.Set($"patients/{w.A.Uid}/submissions/{id}", RulesWorld.HistoryEntry(w.A, w.X, id)),
                w.E.Set($"idempotency/{w.A.Uid}/keys/{Now("k")}", new JsonObject { ["submissionId"] = id, ["at"] = 3 }));
        }),
        Refuse("patient's send commit with one forged part writes nothing", w =>
        {
            var id = Now("half-forged");
            return w.E.CommitAsync(w.A.IdToken,
                w.E.Set($"inbox/{w.X.Uid}/submissions/{id}", RulesWorld.InboxEntry(w.A, w.X, id)),
                w.E.Set($"patients/{w.B.Uid}/submissions/{id}", RulesWorld.HistoryEntry(w.B, w.X, id)));
        }),
        Allow("doctor opens: state of both copies in one commit", async w =>
        {
            var id = await w.NewSubmissionAsync();
            return await w.E.CommitAsync(w.X.IdToken,
                w.E.Patch($"inbox/{w.X.Uid}/submissions/{id}", new JsonObject { ["state"] = "opened" }),
                w.E.Patch($"patients/{w.A.Uid}/submissions/{id}", new JsonObject { ["state"] = "opened" }));
        }),
        Allow("doctor computes: computation, audit event and chain head in one commit", async w =>
        {
            var id = await w.NewSubmissionAsync("opened");
            var seq = w.NextSeq();
            return await w.E.CommitAsync(w.X.IdToken,
                w.E.Patch($"computations/{w.A.Uid}/submissions/{id}", RulesWorld.Computations(w.X, w.A, id, RulesWorld.Slot(w.X, seq))),
                w.E.Set($"audit/{w.A.Uid}/events/{RulesWorld.Slot(w.X, seq)}", RulesWorld.AuditEvent(w.X, w.A, id)),
                w.E.Set($"auditHeads/{w.A.Uid}/doctors/{w.X.Uid}", RulesWorld.Head(w.X, w.A, id, seq)));
        }),
        Allow("doctor marks diagnosed: state and signed state of both copies in one commit", async w =>
        {
            var id = await w.NewSubmissionAsync("opened", diagnosed: true);
            var marked = new JsonObject { ["state"] = "diagnosed", ["stateSeal"] = RulesWorld.StateSeal(w.X, w.A, id) };
            return await w.E.CommitAsync(w.X.IdToken,
                w.E.Patch($"inbox/{w.X.Uid}/submissions/{id}", marked),
                w.E.Patch($"patients/{w.A.Uid}/submissions/{id}", (JsonObject)marked.DeepClone()));
        }),
        Refuse("doctor adds a signed state without moving to diagnosed", async w =>
        {
            var id = await w.NewSubmissionAsync("opened", diagnosed: true);
            return await w.E.CommitAsync(w.X.IdToken,
                w.E.Patch($"inbox/{w.X.Uid}/submissions/{id}", new JsonObject { ["state"] = "opened", ["stateSeal"] = RulesWorld.StateSeal(w.X, w.A, id) }));
        }),
        Refuse("doctor signs the state in another doctor's name", async w =>
        {
            var id = await w.NewSubmissionAsync("opened", diagnosed: true);
            return await w.E.CommitAsync(w.X.IdToken,
                w.E.Patch($"patients/{w.A.Uid}/submissions/{id}", new JsonObject { ["state"] = "diagnosed", ["stateSeal"] = RulesWorld.StateSeal(w.Y, w.A, id) }));
        }),
        Refuse("signed-in user reads a collection the app does not use", w => w.E.GetAsync($"misc/{w.A.Uid}", w.A.IdToken)),
        Refuse("signed-in user writes a collection the app does not use", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"misc/{w.A.Uid}", new JsonObject { ["x"] = 1 }))),
        Refuse("signed-in user writes a document below a profile", w => w.E.CommitAsync(w.A.IdToken, w.E.Set($"users/{w.A.Uid}/extra/x", new JsonObject { ["x"] = 1 }))),
    ];

    public static TheoryData<string> AppWriteCases => Labels(AppWrites);

    [SkippableTheory, MemberData(nameof(AppWriteCases))]
    public Task The_apps_atomic_writes_pass_and_everything_else_is_denied(string access) => CheckAsync(AppWrites, access);

    [SkippableFact]
    public async Task A_refused_commit_writes_none_of_its_documents()
    {
        FirestoreEmulator.Require("Firestore rules suite");
        var id = Now("atomic");
        using var refused = await world.E.CommitAsync(world.A.IdToken,
            world.E.Set($"inbox/{world.X.Uid}/submissions/{id}", RulesWorld.InboxEntry(world.A, world.X, id)),
            world.E.Set($"patients/{world.B.Uid}/submissions/{id}", RulesWorld.HistoryEntry(world.B, world.X, id)));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Null(await world.E.ReadAsAdminAsync($"inbox/{world.X.Uid}/submissions/{id}"));
    }
}
