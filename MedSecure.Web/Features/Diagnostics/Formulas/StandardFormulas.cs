using System.Globalization;
using MedSecure.Web.Features.LabResults.Catalog;

namespace MedSecure.Web.Features.Diagnostics.Formulas;

/// <summary>
/// The shipped formulas, templates and checks. Units follow the lab catalog (mg/dL lipids and
/// calcium, g/dL albumin, mmol/L electrolytes, mmHg pressures), which is also the unit system the
/// textbook coefficients assume (Friedewald's TG/5, the 0.8 of corrected calcium).
/// Band cut-offs: AHA/NHS for pressures, NCEP ATP III and NLA for lipids, ADA for glycaemia,
/// WHO for anaemia; labs differ, so sentences stay general.
/// </summary>
internal static class StandardFormulas
{
    private const BandSeverity Normal = BandSeverity.Normal;
    private const BandSeverity Borderline = BandSeverity.Borderline;
    private const BandSeverity Abnormal = BandSeverity.Abnormal;

    public static IEnumerable<DiagnosticFormula> Formulas()
    {
        yield return new(
            "map", "Mean arterial pressure",
            "The average pressure pushing blood into the organs over one heartbeat.",
            "(SBP + 2 × DBP) ÷ 3",
            [Term("systolic-bp", 1, 3), Term("diastolic-bp", 2, 3)],
            Rational.Zero, "mm[Hg]", "mmHg", 1,
            InterpretationBands
                .StartWith("Low", "Below 70 mmHg: the organs may not get enough blood. Talk to your doctor about it.", Abnormal)
                .AtOrAbove(70, "Normal", "Between 70 and 100 mmHg: the usual range.", Normal)
                .Above(100, "High", "Above 100 mmHg: the heart and arteries work under extra strain. Talk to your doctor about it.", Abnormal)
                .Build(),
            resultLoincCode: "8478-0");

        yield return new(
            "pulse-pressure", "Pulse pressure",
            "The difference between the upper and lower blood pressure numbers.",
            "SBP − DBP",
            [Term("systolic-bp", 1), Term("diastolic-bp", -1)],
            Rational.Zero, "mm[Hg]", "mmHg", 0,
            InterpretationBands
                .StartWith("Narrow", "Below 25 mmHg: the heart may be pumping out less blood than usual. Talk to your doctor about it.", Abnormal)
                .AtOrAbove(25, "Normal", "Between 25 and 60 mmHg: the usual range.", Normal)
                .Above(60, "Wide", "Above 60 mmHg: often a sign of stiff arteries, which adds to heart risk. Worth talking over with your doctor.", Borderline)
                .Build());

        yield return new(
            "non-hdl-cholesterol", "Non-HDL cholesterol",
            "All the cholesterol carried by particles that can clog arteries.",
            "Total cholesterol − HDL",
            [Term("total-cholesterol", 1), Term("hdl", -1)],
            Rational.Zero, "mg/dL", "mg/dL", 0,
            InterpretationBands
                .StartWith("Desirable", "Below 130 mg/dL: on target for most adults.", Normal)
                .AtOrAbove(130, "Above desirable", "130 to 159 mg/dL: a little above the target. Diet and exercise can help; your doctor can advise.", Borderline)
                .AtOrAbove(160, "Borderline high", "160 to 189 mg/dL: borderline high. Talk to your doctor about lowering it.", Borderline)
                .AtOrAbove(190, "High", "190 to 219 mg/dL: high, which raises the risk of heart disease. Talk to your doctor about treatment.", Abnormal)
                .AtOrAbove(220, "Very high", "220 mg/dL or more: very high, which raises the risk of heart disease. Talk to your doctor about treatment.", Abnormal)
                .Build(),
            resultLoincCode: "43396-1");

        yield return new(
            "friedewald-ldl", "LDL cholesterol (Friedewald)",
            "An estimate of LDL (\"bad\") cholesterol from the lipid panel.",
            "Total cholesterol − HDL − triglycerides ÷ 5",
            [Term("total-cholesterol", 1), Term("hdl", -1), Term("triglycerides", -1, 5)],
            Rational.Zero, "mg/dL", "mg/dL", 0,
            InterpretationBands
                .StartWith("Optimal", "Below 100 mg/dL: optimal.", Normal)
                .AtOrAbove(100, "Near optimal", "100 to 129 mg/dL: near optimal.", Normal)
                .AtOrAbove(130, "Borderline high", "130 to 159 mg/dL: borderline high. Diet and exercise can help; your doctor can advise.", Borderline)
                .AtOrAbove(160, "High", "160 to 189 mg/dL: high, which raises the risk of heart disease. Talk to your doctor about treatment.", Abnormal)
                .AtOrAbove(190, "Very high", "190 mg/dL or more: very high, which raises the risk of heart disease. Talk to your doctor about treatment.", Abnormal)
                .Build(),
            caveat: "Valid only when triglycerides are below 400 mg/dL and the sample was taken fasting; "
                + "above that the estimate is unreliable and LDL should be measured directly. "
                + "Run the \"Triglycerides too high for Friedewald\" check to find out.",
            resultLoincCode: "13457-7");

        yield return new(
            "anion-gap", "Anion gap",
            "A check on the blood's acid balance from the salts in a metabolic panel.",
            "Sodium − (chloride + bicarbonate)",
            [Term("sodium", 1), Term("chloride", -1), Term("bicarbonate", -1)],
            Rational.Zero, "mmol/L", "mmol/L", 0,
            InterpretationBands
                .StartWith("Low", "Below 4 mmol/L: uncommon, often from low albumin or a lab error. Your doctor may repeat the test.", Borderline)
                .AtOrAbove(4, "Normal", "Between 4 and 12 mmol/L: the usual range, the acid balance looks normal.", Normal)
                .Above(12, "High", "Above 12 mmol/L: can point to a build-up of acid in the blood. Talk to your doctor soon; they will look for the cause.", Abnormal)
                .Build(),
            caveat: "Ranges differ between laboratories and analysers; compare with the range on the lab report.",
            resultLoincCode: "10466-1");

        yield return new(
            "corrected-calcium", "Calcium corrected for albumin",
            "Total calcium adjusted for a low or high albumin, which carries much of the calcium in blood.",
            "Calcium + 0.8 × (4 − albumin)",
            [Term("calcium", 1), Term("albumin", -4, 5)],
            new Rational(16, 5), "mg/dL", "mg/dL", 1,
            InterpretationBands
                .StartWith("Low", "Below 8.5 mg/dL: low calcium. Talk to your doctor about it.", Abnormal)
                .AtOrAbove(new Rational(17, 2), "Normal", "Between 8.5 and 10.5 mg/dL: the usual range.", Normal)
                .Above(new Rational(21, 2), "High", "Above 10.5 mg/dL: high calcium. Talk to your doctor about it.", Abnormal)
                .Build(),
            caveat: "Calcium in mg/dL, albumin in g/dL. An approximation; a measured ionised calcium is more reliable, "
                + "especially with very low albumin or kidney disease.");

        yield return new(
            "wbc-differential-sum", "White-cell differential total",
            "A quality check: the five white-cell percentages should add up to about 100%.",
            "Neutrophils + lymphocytes + monocytes + eosinophils + basophils",
            [Term("neutrophils-pct", 1), Term("lymphocytes-pct", 1), Term("monocytes-pct", 1), Term("eosinophils-pct", 1), Term("basophils-pct", 1)],
            Rational.Zero, "%", "%", 1,
            InterpretationBands
                .StartWith("Incomplete", "Below 98%: a cell type may be missing or a value mistyped. Check the lab report.", Borderline)
                .AtOrAbove(98, "Complete", "Between 98% and 102%: adds up to about 100%, as it should.", Normal)
                .Above(102, "Too high", "Above 102%: a value is probably mistyped. Check the lab report.", Abnormal)
                .Build(),
            caveat: "Reports that also count band forms, immature cells or blasts can add up to a little under 100%.");
    }

    public static IEnumerable<FormulaTemplate> Templates()
    {
        yield return new(
            "mean", "Mean across submissions",
            "The average of one result over several of the patient's submissions.",
            1,
            (analyte, k, id) => new DiagnosticFormula(
                id, $"Mean {analyte.Name}",
                $"The average {analyte.Name} over {k} submissions.",
                $"({analyte.Name} in each of {k} submissions added up) ÷ {k}",
                Enumerable.Range(0, k).Select(i => new FormulaTerm(new FormulaInput(analyte.Id, i), new Rational(1, k))),
                Rational.Zero, analyte.UcumUnit, analyte.UnitLabel,
                analyte.Decimals + 1,
                ReferenceBands(analyte),
                submissionCount: k));

        yield return new(
            "change", "Change from first to latest",
            "How much one result moved between the first and the latest of several submissions.",
            2,
            (analyte, k, id) => new DiagnosticFormula(
                id, $"Change in {analyte.Name}",
                $"The latest {analyte.Name} minus the first, over {k} submissions.",
                $"Latest {analyte.Name} − first {analyte.Name}",
                [new FormulaTerm(new FormulaInput(analyte.Id, k - 1), Rational.One), new FormulaTerm(new FormulaInput(analyte.Id, 0), -Rational.One)],
                Rational.Zero, analyte.UcumUnit, analyte.UnitLabel,
                analyte.Decimals,
                InterpretationBands
                    .StartWith("Down", $"The latest {analyte.Name} is lower than the first.", Normal)
                    .AtOrAbove(0, "Unchanged", $"The latest {analyte.Name} is the same as the first.", Normal)
                    .Above(0, "Up", $"The latest {analyte.Name} is higher than the first.", Normal)
                    .Build(),
                submissionCount: k));
    }

    public static IEnumerable<ThresholdCheck> ThresholdChecks()
    {
        yield return new(
            "hba1c-diabetes", "HbA1c in the diabetes range", "hba1c", new Rational(13, 2), ThresholdDirection.AtOrAbove,
            "Diabetes range", "HbA1c is 6.5% or above, in the range used to diagnose diabetes. One test is not a diagnosis: talk to your doctor about a second test.",
            "Below the diabetes range", "HbA1c is below 6.5%, under the range used to diagnose diabetes.",
            "ADA cut-off; a diagnosis needs a second abnormal test.");

        yield return new(
            "fasting-glucose-diabetes", "Fasting glucose in the diabetes range", "glucose-fasting", 126, ThresholdDirection.AtOrAbove,
            "Diabetes range", "Fasting glucose is 126 mg/dL or above, in the range used to diagnose diabetes. One test is not a diagnosis: talk to your doctor about a second test.",
            "Below the diabetes range", "Fasting glucose is below 126 mg/dL, under the range used to diagnose diabetes.",
            "ADA cut-off; a diagnosis needs a second abnormal test.");

        yield return new(
            "haemoglobin-anaemia-women", "Anaemia (adult women)", "haemoglobin", 12, ThresholdDirection.Below,
            "Anaemia", "Haemoglobin is below 12.0 g/dL, which is anaemia for an adult woman who is not pregnant. Talk to your doctor about the cause.",
            "No anaemia", "Haemoglobin is 12.0 g/dL or above, not anaemia for an adult woman.",
            "WHO cut-off for non-pregnant adult women; men use 13.0 g/dL, pregnancy 11.0 g/dL.",
            PatientFit.AdultWomen);

        yield return new(
            "haemoglobin-anaemia-men", "Anaemia (adult men)", "haemoglobin", 13, ThresholdDirection.Below,
            "Anaemia", "Haemoglobin is below 13.0 g/dL, which is anaemia for an adult man. Talk to your doctor about the cause.",
            "No anaemia", "Haemoglobin is 13.0 g/dL or above, not anaemia for an adult man.",
            "WHO cut-off for adult men.",
            PatientFit.AdultMen);

        yield return new(
            "ldl-very-high", "LDL cholesterol 190 or more", "ldl", 190, ThresholdDirection.AtOrAbove,
            "Very high", "LDL is 190 mg/dL or above: very high, and sometimes inherited. Talk to your doctor about treatment.",
            "Not very high", "LDL is below 190 mg/dL, under the very high range.",
            "ACC/AHA: at 190 mg/dL or more, high-intensity statin treatment is usually advised (adult cut-off).",
            PatientFit.Adults);

        yield return new(
            "triglycerides-friedewald", "Triglycerides too high for Friedewald", "triglycerides", 400, ThresholdDirection.AtOrAbove,
            "Too high for Friedewald", "Triglycerides are 400 mg/dL or above, so the Friedewald LDL estimate is not valid; LDL needs to be measured directly.",
            "Friedewald usable", "Triglycerides are below 400 mg/dL, so the Friedewald LDL estimate can be used.");

        yield return new(
            "potassium-severe-high", "Potassium dangerously high", "potassium", 6, ThresholdDirection.AtOrAbove,
            "Dangerously high", "Potassium is 6.0 mmol/L or above, which can upset the heart rhythm. Contact your doctor today.",
            "Not dangerously high", "Potassium is below 6.0 mmol/L, not in the dangerous range.",
            "A result this high is sometimes caused by a damaged sample; repeat before acting if unexpected.");
    }

    /// <summary>Low/normal/high bands from an analyte's reference range, limits inclusive as on lab reports.</summary>
    private static InterpretationBands ReferenceBands(Analyte analyte)
    {
        var reference = analyte.Reference;
        string Amount(decimal limit) => limit.ToString("F" + analyte.Decimals, CultureInfo.InvariantCulture)
            + (analyte.UnitLabel == "%" ? "%" : " " + analyte.UnitLabel);
        var within = (reference.Low, reference.High) switch
        {
            ({ } low, { } high) => $"On average between {Amount(low)} and {Amount(high)}: within the usual range.",
            ({ } low, null) => $"On average {Amount(low)} or above: within the usual range.",
            (null, { } high) => $"On average {Amount(high)} or below: within the usual range.",
            _ => "On average within the usual range.",
        };
        var builder = reference.Low is { } lowLimit
            ? InterpretationBands
                .StartWith("Below range", $"On average below {Amount(lowLimit)}: under the usual range. Talk to your doctor about it.", Abnormal)
                .AtOrAbove(lowLimit, "Within range", within, Normal)
            : InterpretationBands.StartWith("Within range", within, Normal);
        if (reference.High is { } highLimit)
        {
            builder.Above(highLimit, "Above range", $"On average above {Amount(highLimit)}: over the usual range. Talk to your doctor about it.", Abnormal);
        }

        return builder.Build();
    }

    private static FormulaTerm Term(string analyteId, long numerator, long denominator = 1) =>
        new(new FormulaInput(analyteId), new Rational(numerator, denominator));
}
