using System.Text.Json.Nodes;
using MedSecure.Web.Crypto;

namespace MedSecure.Web.Tests.Crypto;

public class CanonicalJsonTests
{
    [Fact]
    public void Documented_example_canonicalises_as_described()
    {
        JsonNode value = JsonNode.Parse("""
            { "b": [3, "x\ny", true, null], "a": { "z": 1e2, "é": "\u0001\"\\/" }, "gone": null, "empty": {} }
            """)!;

        Assert.Equal("""{"a":{"z":100,"é":"\u0001\"\\/"},"b":[3,"x\ny",true,null]}""", CanonicalJson.ToCanonicalString(value));
    }

    [Fact]
    public void Keys_sort_by_utf16_code_units()
    {
        JsonNode value = new JsonObject { ["b"] = 1, ["B"] = 2, ["\u00e9"] = 3, ["a"] = 4, ["aa"] = 5 };

        Assert.Equal("""{"B":2,"a":4,"aa":5,"b":1,"é":3}""", CanonicalJson.ToCanonicalString(value));
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("1e400")]
    [InlineData("9007199254740992")]
    public void Numbers_without_a_canonical_form_are_refused(string number)
    {
        JsonNode value = JsonNode.Parse($$"""{"n":{{number}}}""")!;

        Assert.Throws<ArgumentException>(() => CanonicalJson.ToUtf8Bytes(value));
    }

    [Fact]
    public void Integral_spellings_of_the_same_number_agree()
    {
        Assert.Equal(
            CanonicalJson.ToCanonicalString(JsonNode.Parse("[100, -0]")),
            CanonicalJson.ToCanonicalString(JsonNode.Parse("[1.0e2, 0]")));
    }

    [Fact]
    public void Unpaired_surrogates_are_refused()
    {
        Assert.Throws<ArgumentException>(() => CanonicalJson.ToUtf8Bytes(JsonValue.Create("\ud800")));
    }
}
