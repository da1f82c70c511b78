using Xunit.Abstractions;
using Xunit.Sdk;

namespace MedSecure.ScaleOut.Tests.Support;

/// <summary>Runs a class's tests in the order they are written: later ones stop and start parts of the deployment.</summary>
public sealed class DeclarationOrder : ITestCaseOrderer
{
    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases) where TTestCase : ITestCase =>
        testCases.OrderBy(t => t.TestMethod.Method.ToRuntimeMethod().MetadataToken);
}
