namespace MedSecure.Web.Tests.Features.LabResults.Fhir;

/// <summary>
/// FHIR R4 files shaped as labs and portals export them: a European lipid panel in mmol/L (a
/// searchset with a panel grouper), a US metabolic panel as a DiagnosticReport with contained
/// Observations in mg/dL, a single HbA1c Observation in IFCC units, and broken variants.
/// </summary>
internal static class FhirSamples
{
    public const string LipidBundleMmol = """
    {
      "resourceType": "Bundle",
      "type": "searchset",
      "entry": [
        { "fullUrl": "urn:uuid:0f1c7d1e-0000-4000-8000-000000000001",
          "resource": { "resourceType": "Observation", "id": "panel", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "57698-3", "display": "Lipid panel with direct LDL - Serum or Plasma" }] },
            "effectiveDateTime": "2026-03-12T08:10:00+01:00",
            "hasMember": [ { "reference": "Observation/chol" }, { "reference": "Observation/hdl" }, { "reference": "Observation/ldl" }, { "reference": "Observation/tg" } ] } },
        { "resource": { "resourceType": "Observation", "id": "chol", "status": "final",
            "category": [{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory" }] }],
            "code": { "coding": [{ "system": "http://loinc.org", "code": "14647-2", "display": "Cholesterol [Moles/volume] in Serum or Plasma" }], "text": "Cholesterol" },
            "subject": { "reference": "Patient/p1" },
            "effectiveDateTime": "2026-03-12T08:10:00+01:00",
            "valueQuantity": { "value": 5.2, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L" } } },
        { "resource": { "resourceType": "Observation", "id": "hdl", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "14646-4" }], "text": "HDL cholesterol" },
            "effectiveDateTime": "2026-03-12T08:10:00+01:00",
            "valueQuantity": { "value": 1.3, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L" } } },
        { "resource": { "resourceType": "Observation", "id": "ldl", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "22748-8" }], "text": "LDL cholesterol" },
            "effectiveDateTime": "2026-03-12T08:10:00+01:00",
            "valueQuantity": { "value": 3.4, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L" } } },
        { "resource": { "resourceType": "Observation", "id": "tg", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "14927-8" }], "text": "Triglycerides" },
            "effectiveDateTime": "2026-03-12T08:10:00+01:00",
            "valueQuantity": { "value": 1.7, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L" } } }
      ]
    }
    """;

    public const string MetabolicReportMgDl = """
    {
      "resourceType": "DiagnosticReport",
      "id": "bmp-2026-02-01",
      "status": "final",
      "code": { "coding": [{ "system": "http://loinc.org", "code": "51990-0", "display": "Basic metabolic panel - Blood" }] },
      "effectiveDateTime": "2026-02-01T07:45:00Z",
      "contained": [
        { "resourceType": "Observation", "id": "na", "status": "final",
          "code": { "coding": [{ "system": "http://loinc.org", "code": "2951-2", "display": "Sodium [Moles/volume] in Serum or Plasma" }] },
          "valueQuantity": { "value": 139, "unit": "mEq/L", "system": "http://unitsofmeasure.org", "code": "meq/L" } },
        { "resourceType": "Observation", "id": "k", "status": "final",
          "code": { "coding": [{ "system": "http://loinc.org", "code": "2823-3", "display": "Potassium [Moles/volume] in Serum or Plasma" }] },
          "valueQuantity": { "value": 4.2, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L" } },
        { "resourceType": "Observation", "id": "cl", "status": "final",
          "code": { "coding": [{ "system": "http://loinc.org", "code": "2075-0", "display": "Chloride [Moles/volume] in Serum or Plasma" }] },
          "valueQuantity": { "value": 101, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L" } },
        { "resourceType": "Observation", "id": "co2", "status": "final",
          "code": { "coding": [{ "system": "http://loinc.org", "code": "2028-9", "display": "Carbon dioxide, total [Moles/volume] in Serum or Plasma" }] },
          "valueQuantity": { "value": 25, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L" } },
        { "resourceType": "Observation", "id": "glu", "status": "final",
          "code": { "coding": [{ "system": "http://loinc.org", "code": "1558-6", "display": "Fasting glucose [Mass/volume] in Serum or Plasma" }] },
          "valueQuantity": { "value": 92, "unit": "mg/dL", "system": "http://unitsofmeasure.org", "code": "mg/dL" } },
        { "resourceType": "Observation", "id": "crea", "status": "final",
          "code": { "coding": [{ "system": "http://loinc.org", "code": "14682-9", "display": "Creatinine [Moles/volume] in Serum or Plasma" }] },
          "valueQuantity": { "value": 88.42, "unit": "µmol/L", "system": "http://unitsofmeasure.org", "code": "umol/L" } },
        { "resourceType": "Observation", "id": "ca", "status": "final",
          "code": { "coding": [{ "system": "http://loinc.org", "code": "17861-6", "display": "Calcium [Mass/volume] in Serum or Plasma" }] },
          "valueQuantity": { "value": 9.4, "unit": "mg/dL", "system": "http://unitsofmeasure.org", "code": "mg/dL" } },
        { "resourceType": "Observation", "id": "alb", "status": "final",
          "code": { "coding": [{ "system": "http://loinc.org", "code": "1751-7", "display": "Albumin [Mass/volume] in Serum or Plasma" }] },
          "valueQuantity": { "value": 42, "unit": "g/L", "system": "http://unitsofmeasure.org", "code": "g/L" } }
      ],
      "result": [ { "reference": "#na" }, { "reference": "#k" }, { "reference": "#cl" }, { "reference": "#co2" },
                  { "reference": "#glu" }, { "reference": "#crea" }, { "reference": "#ca" }, { "reference": "#alb" } ]
    }
    """;

    public const string Hba1cObservationIfcc = """
    { "resourceType": "Observation", "status": "final",
      "code": { "coding": [{ "system": "http://loinc.org", "code": "59261-8", "display": "Hemoglobin A1c/Hemoglobin.total in Blood by IFCC protocol" }] },
      "effectiveDateTime": "2026-01-20",
      "valueQuantity": { "value": 48, "unit": "mmol/mol", "system": "http://unitsofmeasure.org", "code": "mmol/mol" } }
    """;

    /// <summary>A portal's "all my results" export: a known haemoglobin in g/L, two unknown tests, one without LOINC.</summary>
    public const string UnknownCodesBundle = """
    { "resourceType": "Bundle", "type": "collection",
      "entry": [
        { "resource": { "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "718-7", "display": "Hemoglobin [Mass/volume] in Blood" }] },
            "valueQuantity": { "value": 138, "unit": "g/L", "system": "http://unitsofmeasure.org", "code": "g/L" } } },
        { "resource": { "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "1989-3", "display": "25-hydroxyvitamin D3 [Mass/volume] in Serum or Plasma" }], "text": "Vitamin D 25-OH" },
            "valueQuantity": { "value": 31, "unit": "ng/mL", "system": "http://unitsofmeasure.org", "code": "ng/mL" } } },
        { "resource": { "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "2276-4", "display": "Ferritin [Mass/volume] in Serum or Plasma" }] },
            "valueQuantity": { "value": 80, "unit": "ng/mL", "system": "http://unitsofmeasure.org", "code": "ng/mL" } } },
        { "resource": { "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": "urn:oid:1.2.3.4.5", "code": "HB-LOCAL" }], "text": "Haemoglobin (local code)" },
            "valueQuantity": { "value": 13.8, "unit": "g/dL" } } }
      ] }
    """;

    /// <summary>Typical for low values below a lab's detection limit and for "eGFR &gt; 90".</summary>
    public const string ComparatorsBundle = """
    { "resourceType": "Bundle", "type": "collection",
      "entry": [
        { "resource": { "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "2085-9", "display": "HDL cholesterol" }] },
            "valueQuantity": { "value": 58, "unit": "mg/dL", "system": "http://unitsofmeasure.org", "code": "mg/dL" } } },
        { "resource": { "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "2571-8", "display": "Triglycerides" }] },
            "valueQuantity": { "value": 50, "comparator": "<", "unit": "mg/dL", "system": "http://unitsofmeasure.org", "code": "mg/dL" } } },
        { "resource": { "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "2093-3", "display": "Total cholesterol" }] },
            "valueQuantity": { "value": 300, "comparator": ">", "unit": "mg/dL", "system": "http://unitsofmeasure.org", "code": "mg/dL" } } }
      ] }
    """;

    public const string MissingUnitsBundle = """
    { "resourceType": "Bundle", "type": "collection",
      "entry": [
        { "resource": { "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "8480-6", "display": "Systolic blood pressure" }] },
            "valueQuantity": { "value": 128 } } },
        { "resource": { "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "8462-4", "display": "Diastolic blood pressure" }] },
            "valueQuantity": { "value": 82, "unit": "mmHg" } } },
        { "resource": { "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "8867-4", "display": "Heart rate" }] },
            "valueQuantity": { "value": 64, "unit": "furlongs/fortnight", "system": "http://unitsofmeasure.org", "code": "[fur]/[fortnight]" } } },
        { "resource": { "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "4548-4", "display": "Hemoglobin A1c" }] },
            "valueString": "6.1 %" } }
      ] }
    """;

    /// <summary>A vital-signs export: one blood pressure Observation with two components, and three HbA1c results over a year.</summary>
    public const string RepeatedAndComponentsBundle = """
    { "resourceType": "Bundle", "type": "collection",
      "entry": [
        { "resource": { "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "85354-9", "display": "Blood pressure panel with all children optional" }] },
            "effectiveDateTime": "2026-04-02T09:00:00Z",
            "component": [
              { "code": { "coding": [{ "system": "http://loinc.org", "code": "8480-6", "display": "Systolic blood pressure" }] },
                "valueQuantity": { "value": 131, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]" } },
              { "code": { "coding": [{ "system": "http://loinc.org", "code": "8462-4", "display": "Diastolic blood pressure" }] },
                "valueQuantity": { "value": 84, "unit": "mmHg", "system": "http://unitsofmeasure.org", "code": "mm[Hg]" } } ] } },
        { "resource": { "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "4548-4" }], "text": "HbA1c" },
            "effectiveDateTime": "2025-06-01",
            "valueQuantity": { "value": 6.9, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%" } } },
        { "resource": { "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "4548-4" }], "text": "HbA1c" },
            "effectiveDateTime": "2026-05-03",
            "valueQuantity": { "value": 6.2, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%" } } },
        { "resource": { "resourceType": "Observation", "status": "final",
            "code": { "coding": [{ "system": "http://loinc.org", "code": "4548-4" }], "text": "HbA1c" },
            "effectiveDateTime": "2025-12-10",
            "valueQuantity": { "value": 6.5, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%" } } }
      ] }
    """;

    /// <summary>Glucose in mmol/L typed as mg/dL by mistake upstream: 500 mmol/L is 9008 mg/dL, impossible.</summary>
    public const string ImplausibleGlucose = """
    { "resourceType": "Observation", "status": "final",
      "code": { "coding": [{ "system": "http://loinc.org", "code": "14771-0" }], "text": "Fasting glucose" },
      "valueQuantity": { "value": 500, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L" } }
    """;

    public const string NotJson = "Patient: Pat Ient\nHbA1c: 6.1 %\n";

    public const string JsonNotFhir = """{ "patient": "Pat Ient", "results": [ { "test": "HbA1c", "value": 6.1 } ] }""";

    /// <summary>Has a resourceType but an element FHIR R4 does not define.</summary>
    public const string InvalidFhir = """{ "resourceType": "Observation", "status": "final", "colour": "blue", "code": { "text": "x" } }""";

    public const string PatientOnly = """{ "resourceType": "Patient", "name": [ { "family": "Ient", "given": ["Pat"] } ] }""";
}
