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

    [Theory]
    [InlineData(8190)]
    [InlineData(8191)]
    [InlineData(8192)]
    [InlineData(20_000)]
    public void Long_strings_with_escapes_and_surrogate_pairs_come_out_whole_at_any_position(int lead)
    {
        // The output is written in chunks: a pair or an escape falling on a chunk's edge must not change the bytes.
        string text = new string('a', lead) + "\U0001F600\"\n\u0001é" + new string('z', lead);
        JsonNode value = new JsonObject { ["k"] = text };
        string expected = "{\"k\":\"" + text.Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\u0001", "\\u0001") + "\"}";

        byte[] bytes = CanonicalJson.ToUtf8Bytes(value);

        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(expected), bytes);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(bytes), CanonicalJson.Sha256(value));
    }

    [Theory]
    [InlineData(8190)]
    [InlineData(8191)]
    public void An_unpaired_surrogate_on_a_chunk_edge_is_refused_by_both_forms(int lead)
    {
        JsonNode value = JsonValue.Create(new string('a', lead) + "\ud83d" + "b")!;

        Assert.Throws<ArgumentException>(() => CanonicalJson.ToUtf8Bytes(value));
        Assert.Throws<ArgumentException>(() => CanonicalJson.Sha256(value));
    }
}
