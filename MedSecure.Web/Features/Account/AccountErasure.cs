using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Inbox;
using MedSecure.Web.Features.Diagnostics.Ledger;
using MedSecure.Web.Features.Diagnostics.Records;
using MedSecure.Web.Features.Directory;
using MedSecure.Web.Features.LabResults.Submissions;
using MedSecure.Web.Firebase;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Features.Account;

/// <summary>The account is being deleted (or its deletion could not be finished); the message is safe to show.</summary>
/// <param name="message">What the sign-in page says.</param>
/// <param name="finished">True when the deletion is now complete.</param>
public sealed class AccountErasedException(string message, bool finished) : Exception(message)
{
    /// <summary>Said when sign-in found a half-deleted account and finished deleting it.</summary>
    public const string FinishedMessage = "This account was being deleted when something went wrong. The deletion is now complete: nothing of the account is left, and this email and password no longer sign in.";

    /// <summary>Said when sign-in found a half-deleted account and could not finish.</summary>
    public const string UnfinishedMessage = "This account is being deleted, but MedSecure could not finish it just now. Nothing was unlocked. Sign in again in a moment to finish deleting it.";

    /// <summary>True when the deletion is now complete.</summary>
    public bool Finished { get; } = finished;
}

/// <summary>
/// Deletes an account and everything MedSecure stores about it, in an order that can be resumed.
/// </summary>
/// <remarks>
/// <para>Order, patient: (1) the profile <c>users/{uid}</c> is replaced by a server-signed erasure
/// marker that keeps no name, email or role (so the store refuses new records from or to the
/// account at once); (2) the key wraps are overwritten with random bytes and deleted, then the
/// public keys; (3) the doctors' ledgers about the patient are deleted; (4) each submission, in one
/// atomic write: the doctor's inbox entry becomes the server-signed anonymous tombstone, and the
/// patient's copy, its computations and diagnosis are deleted; (5) idempotency records, pins, the
/// audit log and its heads; (6) the Firebase Authentication account; (7) the marker. Every step
/// deletes what is there and nothing else, so running it again after a failure finishes the job.
/// Sign-in of a half-deleted account (the password still works until step 6) finds the marker,
/// runs the remaining steps and says so plainly.</para>
/// <para>Order, doctor: marker; the directory entry becomes the server-signed tombstone (keeping
/// the doctor's public keys so patients can still verify what the doctor signed); wraps destroyed,
/// public keys deleted; the disclosure ledgers; the inbox; Firebase; the marker. Patients' own
/// records (their copies, the diagnoses and audit entries the doctor wrote for them, their pins)
/// are theirs and stay; their pages say the doctor is gone.</para>
/// <para>Why overwrite before deleting: a store that keeps deleted rows' bytes around (SQLite's
/// free pages, a soft-deleting backend) then holds random bytes where the wrap was. A backup taken
/// before the deletion still holds the old wrap; it opens only with the user's password AND the
/// server's pepper, which never enters the database (see the README).</para>
/// </remarks>
public sealed class AccountErasure(
    ITreeStore store,
    IFirebaseAuthClient firebase,
    ServerSignature server,
    InboxTombstones tombstones,
    DoctorDirectory directory,
    ISessionKeyStore sessions,
    ILogger<AccountErasure> log,
    TimeProvider clock)
{
    /// <summary>Record type of the erasure marker the server signs.</summary>
    public const string MarkerType = "account-erasure";

    /// <summary>
    /// Deletes the account of the just re-authenticated <paramref name="session"/> (its ID token acts
    /// for every write). <paramref name="keys"/> are the session's keys when at hand (a doctor's
    /// public keys go into the directory tombstone); null when resuming at sign-in.
    /// </summary>
    /// <exception cref="TreeStoreException">Storage failed part-way; what was done stays done and a re-run finishes.</exception>
    /// <exception cref="FirebaseAuthException">Firebase refused to delete the account; a re-run (sign in again) finishes.</exception>
    public async Task EraseAsync(string uid, AccountRole role, FirebaseSession session, UnlockedKeys? keys, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        using var acting = ActingUser.As(session);
        await MarkAsync(uid, role, ct);
        if (role == AccountRole.Doctor)
        {
            await RetireDoctorAsync(uid, keys, ct);
        }
        await DestroyKeysAsync(uid, ct);
        if (role == AccountRole.Doctor)
        {
            await EraseDoctorRecordsAsync(uid, ct);
        }
        else
        {
            await ErasePatientRecordsAsync(uid, ct);
        }
        try
        {
            await firebase.DeleteAccountAsync(session.IdToken, ct);
        }
        catch (FirebaseAuthException ex) when (ex.Code is "USER_NOT_FOUND")
        {
            // Deleted by an earlier run whose answer was lost.
        }
        // The ID token still works for the store until it expires, so the marker goes last. Once
        // the Firebase account is gone no sign-in can resume, so this one write is retried here.
        await DeleteMarkerAsync(uid, ct);
        await sessions.EndOtherSessionsAsync(uid, ISessionKeyStore.NewSessionId(), ct);
        log.LogInformation("Account {Uid} ({Role}) deleted.", uid, role);
    }

    /// <summary>
    /// Deletes the signed-in account after the password was confirmed again.
    /// </summary>
    /// <exception cref="WrongPasswordException">The password is not the account's: nothing was deleted.</exception>
    public async Task ConfirmAndEraseAsync(PasswordConfirmation confirmation, string uid, AccountRole role, string email, string password, UnlockedKeys? keys, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(confirmation);
        var session = await confirmation.ConfirmAsync(uid, email, password, ct);
        await EraseAsync(uid, role, session, keys, ct);
    }

    /// <summary>The role recorded by an erasure marker at <c>users/{uid}</c>, or null when the profile is not one (or the marker does not verify).</summary>
    public async Task<AccountRole?> FindMarkerAsync(string uid, CancellationToken ct = default)
    {
        if (await store.GetAsync(UserAccounts.PathOf(uid), ct) is not JsonObject o || o["erasing"] is not JsonValue e || e.GetValueKind() != JsonValueKind.True)
        {
            return null;
        }
        // Only the server makes markers: a store writer cannot make a sign-in delete someone's account.
        if (!server.IsVouched(MarkerType, o) || (string?)o["uid"] != uid)
        {
            return null;
        }
        return (string?)o["erasingRole"] switch
        {
            "doctor" => AccountRole.Doctor,
            "patient" => AccountRole.Patient,
            _ => null,
        };
    }

    private async Task DeleteMarkerAsync(string uid, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await store.DeleteAsync(UserAccounts.PathOf(uid), ct);
                return;
            }
            catch (StorageUnavailableException) when (attempt < 4)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), clock, ct);
            }
            catch (StorageUnavailableException ex)
            {
                // What is left is the marker alone: the uid and a time, no name, email, role or key.
                log.LogError(ex, "Account {Uid} deleted, but its erasure marker could not be removed; remove users/{Uid} by hand.", uid, uid);
                throw;
            }
        }
    }

    private async Task MarkAsync(string uid, AccountRole role, CancellationToken ct)
    {
        if (await FindMarkerAsync(uid, ct) is not null)
        {
            return;
        }
        var marker = new JsonObject
        {
            ["uid"] = uid,
            ["erasing"] = true,
            ["erasingRole"] = AccountKeyRecords.RoleName(role),
            ["erasingSince"] = clock.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        server.SignInto(MarkerType, marker);
        await store.SetAsync(UserAccounts.PathOf(uid), marker, ct);
    }

    private async Task RetireDoctorAsync(string uid, UnlockedKeys? keys, CancellationToken ct)
    {
        if (await directory.FindDepartedAsync(uid, ct) is not null)
        {
            return;
        }
        // The session's own keys when at hand; on a resumed run the published record (if still there).
        PublicKeyRecord? publicKeys = keys?.Keys.ToPublicKeyRecord();
        if (publicKeys is null && await store.GetAsync($"{AccountKeyRecords.PathOf(uid)}/public", ct) is JsonObject published)
        {
            try
            {
                var record = PublicKeyRecord.FromJson(published.ToJsonString());
                record.Validate();
                publicKeys = server.IsVouched(AccountKeyRecords.PublicRecordType, published) && record.Uid == uid ? record : null;
            }
            catch (Exception ex) when (ex is JsonException or RecordTamperedException or InvalidOperationException or FormatException)
            {
                publicKeys = null;
            }
        }
        await directory.RetireAsync(uid, publicKeys, clock.GetUtcNow(), ct);
    }

    /// <summary>Overwrites the wraps with random bytes of the same length, then deletes them and the public keys.</summary>
    private async Task DestroyKeysAsync(string uid, CancellationToken ct)
    {
        var wrappedPath = $"{AccountKeyRecords.PathOf(uid)}/wrapped";
        if (await store.GetAsync(wrappedPath, ct) is JsonObject wrapped)
        {
            await store.SetAsync(wrappedPath, Scrambled(wrapped), ct);
            await store.DeleteAsync(wrappedPath, ct);
        }
        await store.DeleteAsync($"{AccountKeyRecords.PathOf(uid)}/public", ct);
    }

    // Same shape, every string replaced by random base64url of its length: no byte of the old wrap survives.
    private static JsonNode Scrambled(JsonNode node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(m => KeyValuePair.Create(m.Key, m.Value is null ? null : Scrambled(m.Value)))),
        JsonValue v when v.GetValueKind() == JsonValueKind.String =>
            JsonValue.Create(System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(Math.Max(1, v.GetValue<string>().Length * 3 / 4 + 1)))),
        _ => node.DeepClone(),
    };

    private async Task ErasePatientRecordsAsync(string uid, CancellationToken ct)
    {
        var history = await store.GetAsync($"patients/{uid}/submissions", ct) as JsonObject ?? [];
        var pins = await store.GetAsync($"pins/{uid}", ct) as JsonObject ?? [];
        var heads = await store.GetAsync($"auditHeads/{uid}", ct) as JsonObject ?? [];
        var doctors = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (_, entry) in history)
        {
            if (entry?["doctorUid"] is JsonValue d && d.TryGetValue<string>(out var doctorUid) && TreePath.IsValidKey(doctorUid))
            {
                doctors.Add(doctorUid);
            }
        }
        doctors.UnionWith(pins.Select(p => p.Key));
        doctors.UnionWith(heads.Select(h => h.Key));

        // The ledgers first: they are found through the submissions, pins and heads deleted below.
        foreach (var doctorUid in doctors)
        {
            await store.DeleteAsync(DisclosureLedger.PathOf(doctorUid, uid), ct);
        }

        var departed = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var (submissionId, entry) in history)
        {
            var doctorUid = entry?["doctorUid"] is JsonValue d && d.TryGetValue<string>(out var du) ? du : "";
            var sentAt = entry?["sentAt"] is JsonValue s && s.TryGetValue<long>(out var ms) ? ms : 0;
            var updates = new Dictionary<string, JsonNode?>
            {
                [SubmissionStore.HistoryPath(uid, submissionId)] = null,
                [ComputationRecords.ComputationsPath(uid, submissionId)] = null,
                [Diagnoses.PathOf(uid, submissionId)] = null,
            };
            if (TreePath.IsValidKey(doctorUid) && SubmissionIds.IsSubmissionId(submissionId))
            {
                if (!departed.TryGetValue(doctorUid, out var gone))
                {
                    gone = departed[doctorUid] = await DoctorGoneAsync(doctorUid, ct);
                }
                if (!gone)
                {
                    updates[SubmissionStore.InboxPath(doctorUid, submissionId)] = tombstones.Erased(doctorUid, submissionId, sentAt, clock.GetUtcNow());
                }
            }
            try
            {
                await store.UpdateAsync("", updates, ct);
            }
            catch (TreeStorePermissionException) when (updates.Count > 3)
            {
                // The inbox entry is not there to replace (the doctor's inbox is gone, or it was
                // deleted in the store): the patient's own records go all the same.
                updates.Remove(SubmissionStore.InboxPath(doctorUid, submissionId));
                await store.UpdateAsync("", updates, ct);
            }
        }

        foreach (var root in new[] { "idempotency", "pins", "audit", "auditHeads", "computations", "diagnoses" })
        {
            await store.DeleteAsync($"{root}/{uid}", ct);
        }
        await store.DeleteAsync($"patients/{uid}/submissions", ct);
        await store.DeleteAsync(Patient.PatientProfiles.RootOf(uid), ct);
    }

    private async Task<bool> DoctorGoneAsync(string doctorUid, CancellationToken ct)
    {
        try
        {
            return await directory.FindDepartedAsync(doctorUid, ct) is not null || await directory.FindAsync(doctorUid, ct) is null;
        }
        catch (RecordTamperedException)
        {
            // An entry that does not verify says nothing either way; try the inbox.
            return false;
        }
    }

    private async Task EraseDoctorRecordsAsync(string uid, CancellationToken ct)
    {
        await store.DeleteAsync($"disclosures/{uid}", ct);
        await store.DeleteAsync($"inbox/{uid}", ct);
    }
}
