namespace MedSecure.Web.Features.LabResults.Catalog;

/// <summary>
/// The shipped panel definitions. LOINC codes are the common US lab codes for each observation
/// (automated counts for the blood count, serum/plasma for chemistry); ranges are typical adult
/// values from common lab references (NHS, Mayo Clinic Laboratories, ADA, NCEP ATP III).
/// </summary>
/// <remarks>
/// After each range come the units labs also report the analyte in, with their factor to the
/// catalog's unit, and the other LOINC codes of the same quantity (LOINC codes a value in moles
/// separately from one in mass). Factors are the molar masses labs convert with: cholesterol
/// (HDL, LDL) 38.67, triglycerides 88.57, glucose 18.016, calcium 4.008 (mmol/L → mg/dL);
/// creatinine ÷ 88.42 (µmol/L → mg/dL); g/L ÷ 10 → g/dL; haemoglobin 1.611 (mmol/L of the
/// monomer → g/dL); HbA1c NGSP % = 0.09148 × IFCC mmol/mol + 2.152.
/// </remarks>
internal static class StandardPanels
{
    /// <summary>Panel ids, so callers and tests need not repeat string literals.</summary>
    internal static class Ids
    {
        public const string CompleteBloodCount = "cbc";
        public const string VitalSigns = "vitals";
        public const string Lipids = "lipids";
        public const string BasicMetabolic = "bmp";
        public const string HbA1c = "hba1c";
    }

    public static IEnumerable<LabPanel> All()
    {
        yield return CompleteBloodCount();
        yield return VitalSigns();
        yield return Lipids();
        yield return BasicMetabolic();
        yield return HbA1c();
    }

    private static LabPanel CompleteBloodCount() => new(
        Ids.CompleteBloodCount,
        "Complete blood count",
        "Counts and sizes of the cells in your blood.",
        [
            new("wbc", "White blood cells", "6690-2", "10*3/uL", "×10³/µL", 1,
                new(0.0m, 500.0m), new(4.0m, 11.0m),
                [UnitConversion.Same("10*9/L"), UnitConversion.Same("10*3/mm3")], ["26464-8"]),
            new("neutrophils-pct", "Neutrophils", "770-8", "%", "%", 1,
                new(0.0m, 100.0m), new(40.0m, 75.0m)),
            new("lymphocytes-pct", "Lymphocytes", "736-9", "%", "%", 1,
                new(0.0m, 100.0m), new(20.0m, 45.0m)),
            new("monocytes-pct", "Monocytes", "5905-5", "%", "%", 1,
                new(0.0m, 100.0m), new(2.0m, 10.0m)),
            new("eosinophils-pct", "Eosinophils", "713-8", "%", "%", 1,
                new(0.0m, 100.0m), new(null, 6.0m)),
            new("basophils-pct", "Basophils", "706-2", "%", "%", 1,
                new(0.0m, 100.0m), new(null, 2.0m)),
            new("rbc", "Red blood cells", "789-8", "10*6/uL", "×10⁶/µL", 2,
                new(0.50m, 10.00m), new(4.00m, 5.90m, "Women about 4.00–5.20, men about 4.50–5.90."),
                [UnitConversion.Same("10*12/L"), UnitConversion.Same("10*6/mm3")], ["26453-1"]),
            new("haemoglobin", "Haemoglobin", "718-7", "g/dL", "g/dL", 1,
                new(1.0m, 25.0m), new(12.0m, 17.5m, "Women 12.0–15.5, men 13.5–17.5."),
                [new("g/L", 1m, 10m), new("mmol/L", 1.611m)], ["20509-6"]),
            new("haematocrit", "Haematocrit", "4544-3", "%", "%", 1,
                new(5.0m, 75.0m), new(36.0m, 53.0m, "Women about 36–46%, men about 41–53%."),
                [new("L/L", 100m)], ["20570-8"]),
            new("mcv", "Mean cell volume (MCV)", "787-2", "fL", "fL", 1,
                new(40.0m, 150.0m), new(80.0m, 100.0m),
                [UnitConversion.Same("um3")]),
            new("mch", "Mean cell haemoglobin (MCH)", "785-6", "pg", "pg", 1,
                new(10.0m, 60.0m), new(27.0m, 33.0m)),
            new("mchc", "Mean cell haemoglobin concentration (MCHC)", "786-4", "g/dL", "g/dL", 1,
                new(20.0m, 45.0m), new(32.0m, 36.0m),
                [new("g/L", 1m, 10m)]),
            new("rdw", "Red cell distribution width (RDW)", "788-0", "%", "%", 1,
                new(5.0m, 40.0m), new(11.5m, 14.5m)),
            new("platelets", "Platelets", "777-3", "10*3/uL", "×10³/µL", 0,
                new(0m, 5000m), new(150m, 400m),
                [UnitConversion.Same("10*9/L"), UnitConversion.Same("10*3/mm3")], ["26515-7"]),
            new("mpv", "Mean platelet volume (MPV)", "32623-1", "fL", "fL", 1,
                new(3.0m, 20.0m), new(7.5m, 11.5m)),
        ]);

    private static LabPanel VitalSigns() => new(
        Ids.VitalSigns,
        "Vital signs",
        "Blood pressure and resting heart rate.",
        [
            new("systolic-bp", "Systolic blood pressure", "8480-6", "mm[Hg]", "mmHg", 0,
                new(40m, 300m), new(90m, 120m, "The upper number.", "ideal",
                    [new("above ideal", ReferenceFlag.Borderline, "Above the ideal range but not high. Worth measuring again; mention it to your doctor.", 139m),
                     new("high", ReferenceFlag.High, "High blood pressure. Talk to your doctor about it, especially if it stays this high.")],
                    "Low blood pressure. If you feel dizzy or faint, talk to your doctor.")),
            new("diastolic-bp", "Diastolic blood pressure", "8462-4", "mm[Hg]", "mmHg", 0,
                new(20m, 200m), new(60m, 80m, "The lower number.", "ideal",
                    [new("above ideal", ReferenceFlag.Borderline, "Above the ideal range but not high. Worth measuring again; mention it to your doctor.", 89m),
                     new("high", ReferenceFlag.High, "High blood pressure. Talk to your doctor about it, especially if it stays this high.")],
                    "Low blood pressure. If you feel dizzy or faint, talk to your doctor.")),
            new("heart-rate", "Heart rate", "8867-4", "/min", "beats/min", 0,
                new(20m, 300m), new(60m, 100m, "At rest."),
                [UnitConversion.Same("{beats}/min")]),
        ]);

    private static LabPanel Lipids() => new(
        Ids.Lipids,
        "Lipid panel",
        "Cholesterol and triglycerides, in mg/dL.",
        [
            new("total-cholesterol", "Total cholesterol", "2093-3", "mg/dL", "mg/dL", 0,
                new(40m, 1500m), new(null, 199m, null, "desirable",
                    [new("borderline high", ReferenceFlag.Borderline, "A little above the desirable level. Diet and exercise help; your doctor will look at it with your other results.", 239m),
                     new("high", ReferenceFlag.High, "High cholesterol raises the risk of heart disease. Talk to your doctor about it.")]),
                [new("mmol/L", 38.67m)], ["14647-2"]),
            new("hdl", "HDL cholesterol", "2085-9", "mg/dL", "mg/dL", 0,
                new(5m, 250m), new(40m, null, "HDL is the \"good\" cholesterol: higher is better, 60 or more protects the heart.", lowMeaning: "Low HDL (the \"good\" cholesterol) raises the risk of heart disease. Talk to your doctor about it."),
                [new("mmol/L", 38.67m)], ["14646-4"]),
            // 2089-1 is the method-less LDL code: the patient copies whatever their report says,
            // measured or calculated. The calculated (Friedewald) code 13457-7 belongs to the formula.
            new("ldl", "LDL cholesterol", "2089-1", "mg/dL", "mg/dL", 0,
                new(5m, 1200m), new(null, 99m, null, "optimal",
                    [new("above optimal", ReferenceFlag.Borderline, "Slightly above the optimal level; fine for most people. Your doctor will look at it with your other risks.", 129m),
                     new("borderline high", ReferenceFlag.Borderline, "A little high. Diet and exercise help; your doctor will look at it with your other risks.", 159m),
                     new("high", ReferenceFlag.High, "High LDL (the \"bad\" cholesterol) raises the risk of heart disease. Talk to your doctor about it.", 189m),
                     new("very high", ReferenceFlag.High, "Very high LDL (the \"bad\" cholesterol). Talk to your doctor about it soon.")]),
                [new("mmol/L", 38.67m)], ["18262-6", "22748-8"]),
            new("triglycerides", "Triglycerides", "2571-8", "mg/dL", "mg/dL", 0,
                new(10m, 20000m), new(null, 149m, null, "normal",
                    [new("borderline high", ReferenceFlag.Borderline, "A little high. Often lower after fasting and with less sugar and alcohol; your doctor will look at it.", 199m),
                     new("high", ReferenceFlag.High, "High triglycerides raise the risk of heart disease. Talk to your doctor about it.", 499m),
                     new("very high", ReferenceFlag.High, "Very high triglycerides can inflame the pancreas. Talk to your doctor about it soon.")]),
                [new("mmol/L", 88.57m)], ["14927-8"]),
        ]);

    private static LabPanel BasicMetabolic() => new(
        Ids.BasicMetabolic,
        "Basic metabolic panel",
        "Salts, sugar and kidney markers in your blood, with calcium and albumin.",
        [
            new("sodium", "Sodium", "2951-2", "mmol/L", "mmol/L", 0,
                new(80m, 200m), new(135m, 145m),
                [UnitConversion.Same("meq/L")], ["2947-0"]),
            new("potassium", "Potassium", "2823-3", "mmol/L", "mmol/L", 1,
                new(1.0m, 10.0m), new(3.5m, 5.0m),
                [UnitConversion.Same("meq/L")], ["6298-4"]),
            new("chloride", "Chloride", "2075-0", "mmol/L", "mmol/L", 0,
                new(50m, 150m), new(98m, 107m),
                [UnitConversion.Same("meq/L")], ["2069-3"]),
            new("bicarbonate", "Bicarbonate", "1963-8", "mmol/L", "mmol/L", 0,
                new(2m, 60m), new(22m, 29m),
                [UnitConversion.Same("meq/L")], ["2028-9"]),
            new("glucose-fasting", "Fasting glucose", "1558-6", "mg/dL", "mg/dL", 0,
                new(10m, 2000m), new(70m, 99m, "After at least 8 hours without food.", "normal",
                    [new("prediabetes range", ReferenceFlag.Borderline, "Higher than normal but below the diabetes range. Talk to your doctor about a repeat test.", 125m),
                     new("diabetes range", ReferenceFlag.High, "In the diabetes range. One result alone does not make a diagnosis: talk to your doctor about it.")],
                    "Low blood sugar. If you feel shaky, sweaty or confused, eat something sweet and talk to your doctor."),
                [new("mmol/L", 18.016m)], ["14771-0", "1557-8"]),
            new("creatinine", "Creatinine", "2160-0", "mg/dL", "mg/dL", 2,
                new(0.10m, 30.00m), new(0.60m, 1.20m, "Women about 0.50–1.10, men about 0.70–1.30."),
                [new("umol/L", 1m, 88.42m)], ["14682-9"]),
            new("calcium", "Calcium", "17861-6", "mg/dL", "mg/dL", 1,
                new(2.0m, 20.0m), new(8.5m, 10.5m),
                [new("mmol/L", 4.008m)], ["2000-8"]),
            new("albumin", "Albumin", "1751-7", "g/dL", "g/dL", 1,
                new(0.5m, 7.0m), new(3.5m, 5.0m),
                [new("g/L", 1m, 10m)], ["61151-7"]),
        ]);

    private static LabPanel HbA1c() => new(
        Ids.HbA1c,
        "HbA1c",
        "Average blood sugar over the last two to three months.",
        [
            new("hba1c", "HbA1c", "4548-4", "%", "%", 1,
                new(2.0m, 25.0m), new(null, 5.6m, "Your average blood sugar over the last two to three months.", "normal",
                    [new("prediabetes range", ReferenceFlag.Borderline, "Higher than normal but below the diabetes range. Talk to your doctor about what to do.", 6.4m),
                     new("diabetes range", ReferenceFlag.High, "In the diabetes range. Talk to your doctor about it; a repeat test usually confirms it.")]),
                [new("mmol/mol", 0.09148m, 1m, 2.152m)], ["17856-6", "59261-8"]),
        ]);
}
