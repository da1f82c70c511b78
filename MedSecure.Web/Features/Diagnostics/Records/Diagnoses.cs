using System.Buffers.Text;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Paillier;
using MedSecure.Web.Crypto;
using MedSecure.Web.Storage;

namespace MedSecure.Web.Features.Diagnostics.Records;

/// <summary>What the doctor sends back: free text and exactly the results they ticked.</summary>
/// <param name="Text">The diagnosis as written.</param>
/// <param name="Results">The results sent with it, as the doctor saw them (inside the signed, encrypted body).</param>
/// <param name="DoctorName">Who wrote it.</param>
/// <param name="WrittenAt">When.</param>
/// <param name="Seq">Its entry's position in the patient's log.</param>
/// <param name="Hash">SHA-256 of its signed form, as its log entry and signed state name it.</param>
public sealed record Diagnosis(string Text, IReadOnlyList<ResultLine> Results, string DoctorName, DateTimeOffset WrittenAt, long Seq = 0, string Hash = "");

/// <summary>A diagnosis just written: when, its place in the log and its hash.</summary>
/// <param name="At">When.</param>
/// <param name="Seq">Its entry's position in the (patient, doctor) chain.</param>
/// <param name="Hash">SHA-256 of its signed form.</param>
public sealed record WrittenDiagnosis(DateTimeOffset At, long Seq, string Hash);

/// <summary>The submission already has a diagnosis; nothing was written.</summary>
public sealed class AlreadyDiagnosedException() : Exception(PlainMessage)
{
    /// <summary>The message shown beside the form.</summary>
    public const string PlainMessage = "This submission was already diagnosed.";
}

/// <summary>
/// Diagnoses at <c>diagnoses/{patientUid}/{submissionId}</c>: exactly one per submission (a
/// conditional write that requires the node to be empty), encrypted for the patient and signed by the
/// doctor, written together with its entry in the patient's hash-chained log (<see cref="AuditChain"/>),
/// so that its existence and its hash are bound into what the doctor signed.
/// </summary>
/// <remarks>
/// <para>Hybrid encryption: a fresh random 256-bit key K encrypts the JSON payload
/// <c>{"text":…,"results":[…]}</c> with AES-256-GCM (96-bit random nonce, 128-bit tag, additional
/// data binding patient, submission and doctor); K, read as an unsigned big-endian integer, is
/// Paillier-encrypted under the patient's public key, and again under the doctor's so that the
/// doctor can re-read what they sent. Stored and signed (type <see cref="DiagnosisType"/>):</para>
/// <code>
/// { sealed: { v: 3, seq, submissionId, patientUid, doctorUid, doctorName, doctorFingerprint, at: unix ms,
///             key: EncryptedFixedPoint (scale 0), doctorKey: EncryptedFixedPoint (scale 0), nonce,
///             body: ciphertext‖tag, sig } }
/// </code>
/// <para>The body names the results sent with the diagnosis (kind, id and the value as shown), so
/// which results went with it is covered by the doctor's signature like the text: a store writer who
/// adds, drops or swaps one breaks the signature, and the record is refused.</para>
/// </remarks>
public sealed class Diagnoses(ITreeStore store, RecordSigner signer, AuditChain chain, MaskPools? masks = null)
{
    /// <summary>Record type a diagnosis is signed as.</summary>
    public const string DiagnosisType = "diagnostics.diagnosis";

    /// <summary>Most characters a diagnosis may have.</summary>
    public const int MaxTextLength = 4000;

    private const int FormatVersion = 3;
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    /// <summary>Path of a submission's diagnosis.</summary>
    public static string PathOf(string patientUid, string submissionId) => $"diagnoses/{patientUid}/{submissionId}";

    /// <summary>Whether the submission has a diagnosis (any record, valid or not).</summary>
    public async Task<bool> ExistsAsync(string patientUid, string submissionId, CancellationToken ct = default) =>
        await store.GetAsync(PathOf(patientUid, submissionId), ct) is not null;

    /// <summary>The ids of the patient's submissions that have a diagnosis record (valid or not), in one read.</summary>
    public async Task<IReadOnlySet<string>> ListIdsAsync(string patientUid, CancellationToken ct = default) =>
        (await store.GetAsync($"diagnoses/{patientUid}", ct) as JsonObject)?.Select(d => d.Key).ToHashSet(StringComparer.Ordinal)
        ?? new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// The doctor's own diagnosis record, signature checked (nothing decrypted: it is for the
    /// patient): its time, place in the log and hash. Null when there is none or it does not verify.
    /// </summary>
    public async Task<WrittenDiagnosis?> FindWrittenAsync(string patientUid, string submissionId, string doctorUid, ECDsa doctorKey, CancellationToken ct = default)
    {
        if (await store.GetAsync(PathOf(patientUid, submissionId), ct) is not { } node
            || node["sealed"] is not JsonObject sealedRecord
            || !signer.IsValid(DiagnosisType, AuditChain.Unsigned(sealedRecord), ComputationRecords.Text(sealedRecord, RecordSigner.SignatureProperty), doctorKey)
            || ComputationRecords.Text(sealedRecord, "submissionId") != submissionId
            || ComputationRecords.Text(sealedRecord, "patientUid") != patientUid
            || ComputationRecords.Text(sealedRecord, "doctorUid") != doctorUid
            || sealedRecord["seq"] is not JsonValue s || !s.TryGetValue<long>(out var seq)
            || sealedRecord["at"] is not JsonValue a || !a.TryGetValue<long>(out var at))
        {
            return null;
        }
        return new WrittenDiagnosis(DateTimeOffset.FromUnixTimeMilliseconds(at), seq, AuditChain.HashOf(sealedRecord));
    }

    /// <summary>Encrypts, signs and writes the diagnosis with its log entry, only if none exists yet.</summary>
    /// <exception cref="AlreadyDiagnosedException">Another write got there first; nothing was overwritten.</exception>
    public async Task<WrittenDiagnosis> WriteAsync(string patientUid, string submissionId, PublicKeyRecord patientKeys, ActingDoctor doctor, string text, IReadOnlyList<ResultLine> results, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(patientKeys);
        ArgumentNullException.ThrowIfNull(doctor);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Payload(text, results), PayloadJson);
        var key = RandomNumberGenerator.GetBytes(32);
        try
        {
            var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
            var body = new byte[payload.Length + AesGcm.TagByteSizes.MaxSize];
            using (var aes = new AesGcm(key, AesGcm.TagByteSizes.MaxSize))
            {
                aes.Encrypt(nonce, payload, body.AsSpan(0, payload.Length), body.AsSpan(payload.Length), AdditionalData(patientUid, submissionId, doctor.Uid));
            }
            // A precomputed mask for the patient's key when there is one (the doctor's session answers this patient).
            var keyValue = new BigInteger(key, isUnsigned: true, isBigEndian: true);
            var encryptor = masks?.EncryptorFor(doctor.Keys) ?? PooledEncryptor.Unpooled();
            var wrapped = encryptor.EncryptAll([(patientKeys.GetPaillierPublicKey(), keyValue), (doctor.Keys.Keys.PaillierPublicKey, keyValue)]);
            var hash = "";
            var (at, seq) = await chain.AppendAsync(patientUid, submissionId, AuditEntryKind.Diagnosis, doctor, (seq, at) =>
            {
                var sealedRecord = new JsonObject
                {
                    ["v"] = FormatVersion,
                    ["seq"] = seq,
                    ["submissionId"] = submissionId,
                    ["patientUid"] = patientUid,
                    ["doctorUid"] = doctor.Uid,
                    ["doctorName"] = doctor.Name,
                    ["doctorFingerprint"] = doctor.Keys.Keys.ToPublicKeyRecord().Fingerprint,
                    ["at"] = at.ToUnixTimeMilliseconds(),
                    ["key"] = JsonNode.Parse(EncryptedFixedPoint.FromCiphertext(wrapped[0], 0, BigInteger.One).ToJson()),
                    ["doctorKey"] = JsonNode.Parse(EncryptedFixedPoint.FromCiphertext(wrapped[1], 0, BigInteger.One).ToJson()),
                    ["nonce"] = Base64Url.EncodeToString(nonce),
                    ["body"] = Base64Url.EncodeToString(body),
                };
                signer.SignInto(DiagnosisType, sealedRecord, doctor.Keys.Keys.SigningKey);
                hash = AuditChain.HashOf(sealedRecord);
                return new ChainedRecord(PathOf(patientUid, submissionId), new JsonObject { ["sealed"] = sealedRecord }, seq, null);
            }, ct);
            return new WrittenDiagnosis(at, seq, hash);
        }
        catch (TreeStoreConflictException)
        {
            // The diagnosis's own path was taken (the chain retries lost races for its entry itself);
            // under the security rules that arrives as a refused rewrite and is told the same way.
            throw new AlreadyDiagnosedException();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(payload);
        }
    }

    /// <summary>
    /// The diagnosis for the patient: signature checked with the doctor's key first, then the AES
    /// key decrypted with the patient's Paillier key, then the text. Null when there is none.
    /// </summary>
    /// <exception cref="RecordTamperedException">Altered, moved, or signed by someone else; nothing was decrypted.</exception>
    public async Task<Diagnosis?> ReadAsync(string submissionId, UnlockedKeys patient, string doctorUid, ECDsa doctorKey, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(patient);
        return await OpenAsync(patient.UserId, submissionId, doctorUid, doctorKey, "key", patient.Keys.PaillierPublicKey, patient.Keys.Paillier, ct);
    }

    /// <summary>
    /// The diagnosis as the doctor sent it, for the doctor to re-read: their own signature checked,
    /// then the AES key decrypted with their Paillier key. Null when there is none.
    /// </summary>
    /// <exception cref="RecordTamperedException">Altered, moved, or signed by someone else; nothing was decrypted.</exception>
    public async Task<Diagnosis?> ReadSentAsync(string patientUid, string submissionId, ActingDoctor doctor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(doctor);
        return await OpenAsync(patientUid, submissionId, doctor.Uid, doctor.Keys.Keys.SigningKey, "doctorKey", doctor.Keys.Keys.PaillierPublicKey, doctor.Keys.Keys.Paillier, ct);
    }

    private async Task<Diagnosis?> OpenAsync(string patientUid, string submissionId, string doctorUid, ECDsa doctorKey, string keyField, PaillierPublicKey readerPublic, PaillierPrivateKey reader, CancellationToken ct)
    {
        if (await store.GetAsync(PathOf(patientUid, submissionId), ct) is not { } node)
        {
            return null;
        }
        if (node["sealed"] is not JsonObject sealedRecord)
        {
            throw new RecordTamperedException();
        }
        signer.VerifyEmbedded(DiagnosisType, sealedRecord, doctorKey);
        if (ComputationRecords.Text(sealedRecord, "submissionId") != submissionId
            || ComputationRecords.Text(sealedRecord, "patientUid") != patientUid
            || ComputationRecords.Text(sealedRecord, "doctorUid") != doctorUid
            || sealedRecord["v"]?.GetValue<int>() != FormatVersion)
        {
            throw new RecordTamperedException();
        }
        byte[] key = [];
        try
        {
            var wrapped = EncryptedFixedPoint.FromJson(readerPublic, sealedRecord[keyField]!.ToJsonString());
            var k = reader.Decrypt(wrapped.Ciphertext);
            if (k.Sign < 0 || k.GetBitLength() > 256)
            {
                throw new RecordTamperedException();
            }
            key = new byte[32];
            k.TryWriteBytes(key.AsSpan(32 - k.GetByteCount(isUnsigned: true)), out _, isUnsigned: true, isBigEndian: true);
            var nonce = Base64Url.DecodeFromChars(ComputationRecords.Text(sealedRecord, "nonce"));
            var body = Base64Url.DecodeFromChars(ComputationRecords.Text(sealedRecord, "body"));
            var tagSize = AesGcm.TagByteSizes.MaxSize;
            if (body.Length < tagSize)
            {
                throw new RecordTamperedException();
            }
            var plain = new byte[body.Length - tagSize];
            using (var aes = new AesGcm(key, tagSize))
            {
                aes.Decrypt(nonce, body.AsSpan(0, plain.Length), body.AsSpan(plain.Length), plain, AdditionalData(patientUid, submissionId, doctorUid));
            }
            var payload = JsonSerializer.Deserialize<Payload>(plain, PayloadJson) ?? throw new RecordTamperedException();
            var results = payload.Results ?? [];
            // One line per result: a body naming the same result twice was not written by this code.
            if (results.Select(r => r.Key).Distinct(StringComparer.Ordinal).Count() != results.Count)
            {
                throw new RecordTamperedException();
            }
            return new Diagnosis(payload.Text, results, ComputationRecords.Text(sealedRecord, "doctorName"),
                DateTimeOffset.FromUnixTimeMilliseconds(sealedRecord["at"]!.GetValue<long>()),
                sealedRecord["seq"]!.GetValue<long>(), AuditChain.HashOf(sealedRecord));
        }
        catch (Exception ex) when (ex is PaillierException or CryptographicException or FormatException or JsonException or InvalidOperationException or ArgumentException or NullReferenceException)
        {
            throw new RecordTamperedException(ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static byte[] AdditionalData(string patientUid, string submissionId, string doctorUid) =>
        Encoding.UTF8.GetBytes($"medsecure.diagnosis.v1\n{patientUid}\n{submissionId}\n{doctorUid}");

    private sealed record Payload(string Text, IReadOnlyList<ResultLine>? Results);
}
