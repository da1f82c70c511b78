using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Hl7.Fhir.Model;
using MedSecure.Web.Crypto;
using MedSecure.Web.Features.Diagnostics.Formulas;
using MedSecure.Web.Features.Diagnostics.PatientView;
using MedSecure.Web.Features.Diagnostics.Records;
using MedSecure.Web.Features.LabResults.Catalog;
using MedSecure.Web.Features.LabResults.Fhir;
using MedSecure.Web.Features.LabResults.Submissions;
using AuditEvent = Hl7.Fhir.Model.AuditEvent;

namespace MedSecure.Web.Features.Patient.Export;

/// <summary>
/// Builds, for the signed-in patient, a FHIR R4 Bundle (type collection) of everything they can
/// read, decrypted with their own unlocked keys: each submitted value as an Observation (LOINC,
/// UCUM, the time sent), each result the doctor computed as an Observation derived from its
/// inputs, each diagnosis as a DiagnosticReport by the doctor, and the doctor's log as AuditEvents.
/// Every reference points inside the bundle. Nothing is stored, cached or logged: the caller
/// writes it to the response.
/// </summary>
/// <remarks>
/// A submission whose own copy was altered in the store is left out (its values cannot be trusted)
/// and counted in <see cref="FhirExportResult.Refused"/>; records the patient's page refuses are left
/// out the same way, because the export reads through the same checks.
/// </remarks>
public sealed class FhirExport(PatientCopies patientCopies, PatientDiagnostics diagnostics, LabCatalog catalog, FormulaCatalog formulas)
{
    /// <summary>Identifier system for MedSecure accounts (patients and doctors).</summary>
    public const string AccountSystem = "urn:medsecure:account";

    /// <summary>Identifier system for submissions; an Observation's identifier is <c>{submissionId}/{analyteId}</c>.</summary>
    public const string SubmissionSystem = "urn:medsecure:submission";

    /// <summary>Code system of the catalog's formulas and threshold checks (results without a LOINC code).</summary>
    public const string ComputationSystem = "urn:medsecure:computation";

    /// <summary>Builds the bundle for <paramref name="patient"/>.</summary>
    public async Task<FhirExportResult> BuildAsync(UnlockedKeys patient, string patientName, DateTimeOffset now, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(patient);
        var bundle = new Bundle
        {
            Type = Bundle.BundleType.Collection,
            Timestamp = now,
            Identifier = new Identifier("urn:ietf:rfc:3986", "urn:uuid:" + Guid.NewGuid()),
        };
        var patientUrl = UrlFor("patient", patient.UserId);
        Add(bundle, patientUrl, new Hl7.Fhir.Model.Patient
        {
            Identifier = [new Identifier(AccountSystem, patient.UserId)],
            Name = [new HumanName { Text = patientName }],
        });
        var device = UrlFor("device", "medsecure");
        Add(bundle, device, new Device { DeviceName = [new Device.DeviceNameComponent { Name = "MedSecure", Type = DeviceNameType.UserFriendlyName }] });

        var practitioners = new Dictionary<string, string>(StringComparer.Ordinal);
        string PractitionerUrl(string doctorUid, string doctorName)
        {
            if (!practitioners.TryGetValue(doctorUid, out var url))
            {
                url = UrlFor("practitioner", doctorUid);
                practitioners[doctorUid] = url;
                Add(bundle, url, new Practitioner
                {
                    Identifier = [new Identifier(AccountSystem, doctorUid)],
                    Name = [new HumanName { Text = doctorName }],
                });
            }
            return url;
        }

        var valueUrls = new Dictionary<(string Submission, string Analyte), string>();
        var copies = await patientCopies.OpenAllAsync(patient, ct);
        var refused = copies.Refused;
        var opened = copies.Submissions;

        foreach (var submission in opened)
        {
            var id = submission.Summary.SubmissionId;
            foreach (var analyte in catalog.Analytes.Where(a => submission.Values.ContainsKey(a.Id)))
            {
                var url = UrlFor("observation", id + "/" + analyte.Id);
                valueUrls[(id, analyte.Id)] = url;
                Add(bundle, url, ValueObservation(analyte, submission.Values[analyte.Id], submission, patientUrl));
            }
        }

        foreach (var submission in opened)
        {
            var id = submission.Summary.SubmissionId;
            PatientDiagnosticsView? view;
            try
            {
                view = await diagnostics.LoadAsync(patient, id, ct);
            }
            catch (RecordTamperedException)
            {
                refused++;
                continue;
            }
            if (view is null)
            {
                continue;
            }
            var doctorUrl = PractitionerUrl(submission.DoctorUid, submission.Summary.DoctorName);
            var resultUrls = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in view.Results)
            {
                var url = UrlFor("result", id + "/" + line.Key);
                resultUrls[line.Key] = url;
                var inputs = view.Audit.LastOrDefault(a => a.Entry == AuditEntryKind.Computation && a.Kind == line.Kind && a.ComputationId == line.Id)?.InputSubmissions ?? [id];
                Add(bundle, url, ResultObservation(line, InputsOf(line, inputs.Count > 0 ? inputs : [id], valueUrls), patientUrl, doctorUrl));
            }
            if (view.Diagnosis is { } diagnosis)
            {
                var reportUrl = UrlFor("diagnosis", id);
                resultUrls["diagnosis"] = reportUrl;
                var report = new DiagnosticReport
                {
                    Identifier = [new Identifier(SubmissionSystem, id)],
                    Status = DiagnosticReport.DiagnosticReportStatus.Final,
                    Code = new CodeableConcept(FhirLabImport.LoincSystem, "11502-2", "Laboratory report", "Diagnosis from " + diagnosis.DoctorName),
                    Subject = new ResourceReference(patientUrl),
                    Effective = new FhirDateTime(submission.Summary.SentAt),
                    Issued = diagnosis.WrittenAt,
                    Performer = [new ResourceReference(doctorUrl, diagnosis.DoctorName)],
                    ResultsInterpreter = [new ResourceReference(doctorUrl, diagnosis.DoctorName)],
                    Conclusion = diagnosis.Text,
                    Result = catalog.Analytes.Where(a => valueUrls.ContainsKey((id, a.Id))).Select(a => new ResourceReference(valueUrls[(id, a.Id)]))
                        .Concat(view.Results.Select(r => new ResourceReference(resultUrls[r.Key]))).ToList(),
                };
                Add(bundle, reportUrl, report);
            }
            foreach (var e in view.Audit)
            {
                var what = e.Entry == AuditEntryKind.Diagnosis
                    ? resultUrls.GetValueOrDefault("diagnosis")
                    : resultUrls.GetValueOrDefault(ComputationRecords.KeyOf(e.Kind, e.ComputationId));
                Add(bundle, UrlFor("audit", e.EventId), AuditOf(e, what, patientUrl, doctorUrl, device));
            }
        }
        return new FhirExportResult(bundle, opened.Count, refused);
    }

    private Observation ValueObservation(Analyte analyte, decimal value, OpenedSubmission submission, string patientUrl)
    {
        var vital = catalog.PanelOf(analyte.Id).Id == "vitals";
        var observation = new Observation
        {
            Identifier = [new Identifier(SubmissionSystem, submission.Summary.SubmissionId + "/" + analyte.Id)],
            Status = ObservationStatus.Final,
            Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/observation-category", vital ? "vital-signs" : "laboratory", vital ? "Vital Signs" : "Laboratory")],
            Code = new CodeableConcept(FhirLabImport.LoincSystem, analyte.LoincCode, analyte.Name, analyte.Name),
            Subject = new ResourceReference(patientUrl),
            // When the patient sent it: the time the lab drew the sample is not known to MedSecure.
            Effective = new FhirDateTime(submission.Summary.SentAt),
            Issued = submission.Summary.SentAt,
            Performer = [new ResourceReference(patientUrl)],
            Value = Quantity(value, analyte.Decimals, analyte.UnitLabel, analyte.UcumUnit),
            Interpretation = [Interpretation(analyte.Classify(value))],
        };
        var range = new Observation.ReferenceRangeComponent { Text = analyte.Reference.Note };
        if (analyte.Reference.Low is { } low)
        {
            range.Low = Quantity(low, analyte.Decimals, analyte.UnitLabel, analyte.UcumUnit);
        }
        if (analyte.Reference.High is { } high)
        {
            range.High = Quantity(high, analyte.Decimals, analyte.UnitLabel, analyte.UcumUnit);
        }
        observation.ReferenceRange = [range];
        return observation;
    }

    private Observation ResultObservation(ResultLine line, IReadOnlyList<string> inputs, string patientUrl, string doctorUrl)
    {
        var observation = new Observation
        {
            Status = ObservationStatus.Final,
            Subject = new ResourceReference(patientUrl),
            Effective = new FhirDateTime(line.ComputedAt),
            Issued = line.ComputedAt,
            Performer = [new ResourceReference(doctorUrl)],
            Interpretation = [new CodeableConcept { Text = line.Label }],
            Note = [new Annotation { Text = line.Sentence }],
            DerivedFrom = inputs.Select(url => new ResourceReference(url)).ToList(),
        };
        var code = new CodeableConcept { Text = line.Name };
        if (line.Kind == ComputationKind.Formula && formulas.TryGetFormula(line.Id, out var formula))
        {
            if (formula.ResultLoincCode is { } loinc)
            {
                code.Coding.Add(new Coding(FhirLabImport.LoincSystem, loinc, line.Name));
            }
            var number = line.Value.EndsWith(formula.ResultUnitLabel, StringComparison.Ordinal) ? line.Value[..^formula.ResultUnitLabel.Length].Trim() : line.Value;
            observation.Value = decimal.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
                ? Quantity(amount, formula.Decimals, formula.ResultUnitLabel, formula.ResultUcumUnit)
                : new FhirString(line.Value);
        }
        else
        {
            // A threshold check tells the side of a cut-off, not a number.
            observation.Value = new FhirString($"{line.Value}: {line.Label}");
        }
        code.Coding.Add(new Coding(ComputationSystem, ComputationRecords.KeyOf(line.Kind, line.Id), line.Name));
        observation.Code = code;
        return observation;
    }

    private List<string> InputsOf(ResultLine line, IReadOnlyList<string> inputSubmissions, Dictionary<(string, string), string> valueUrls)
    {
        IEnumerable<string> analytes = line.Kind == ComputationKind.Formula && formulas.TryGetFormula(line.Id, out var formula)
            ? formula.RequiredAnalytes
            : line.Kind == ComputationKind.Check && formulas.TryGetCheck(line.Id, out var check) ? [check.AnalyteId] : [];
        var ids = analytes.ToHashSet(StringComparer.Ordinal);
        return inputSubmissions
            .SelectMany(s => catalog.Analytes.Where(a => ids.Contains(a.Id)).Select(a => valueUrls.GetValueOrDefault((s, a.Id))))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    private static AuditEvent AuditOf(Diagnostics.Records.AuditEvent e, string? what, string patientUrl, string doctorUrl, string device)
    {
        var audit = new AuditEvent
        {
            Type = new Coding("http://dicom.nema.org/resources/ontology/DCM", "110110", "Patient Record"),
            Action = AuditEvent.AuditEventAction.E,
            Recorded = e.At,
            Outcome = AuditEvent.AuditEventOutcome.N0,
            OutcomeDesc = e.Entry == AuditEntryKind.Diagnosis ? $"{e.DoctorName} sent the diagnosis" : $"{e.DoctorName} ran {e.Name}",
            Agent = [new AuditEvent.AgentComponent { Who = new ResourceReference(doctorUrl, e.DoctorName), Requestor = true }],
            Source = new AuditEvent.SourceComponent { Observer = new ResourceReference(device, "MedSecure") },
            Entity = [new AuditEvent.EntityComponent { What = new ResourceReference(patientUrl) }],
        };
        if (what is not null)
        {
            audit.Entity.Add(new AuditEvent.EntityComponent { What = new ResourceReference(what) });
        }
        return audit;
    }

    private static Quantity Quantity(decimal value, int decimals, string label, string ucum) => new()
    {
        // On the analyte's grid, so 4.20 stays 4.20 and a re-import reads exactly what was sent.
        Value = decimal.Round(value, decimals),
        Unit = label,
        System = FhirLabImport.UcumSystem,
        Code = ucum,
    };

    private static CodeableConcept Interpretation(ReferenceFlag flag) => flag switch
    {
        ReferenceFlag.Low => new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "L", "Low"),
        ReferenceFlag.High => new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "H", "High"),
        // "Above ideal", "prediabetes range": not high, not normal; no ObservationInterpretation code says that.
        ReferenceFlag.Borderline => new CodeableConcept { Text = "Borderline" },
        _ => new CodeableConcept("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "N", "Normal"),
    };

    private static void Add(Bundle bundle, string fullUrl, Resource resource)
    {
        resource.Id = fullUrl["urn:uuid:".Length..];
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = fullUrl, Resource = resource });
    }

    /// <summary>
    /// A stable urn:uuid for one thing in the export (the same submission value gets the same id in
    /// every export), derived by hashing, so ids say nothing readable about what they name.
    /// </summary>
    private static string UrlFor(string kind, string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(kind + "\n" + key));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return "urn:uuid:" + new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }
}

/// <summary>A built export.</summary>
/// <param name="Bundle">The FHIR Bundle.</param>
/// <param name="Submissions">How many submissions it holds.</param>
/// <param name="Refused">How many were left out because their record was altered in the store.</param>
public sealed record FhirExportResult(Bundle Bundle, int Submissions, int Refused);
