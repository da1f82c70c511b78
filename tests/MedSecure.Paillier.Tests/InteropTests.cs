using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using MedSecure.Paillier;

namespace MedSecure.Paillier.Tests;

/// <summary>
/// Runs tests/MedSecure.Paillier.Tests/interop/paillier-interop.mjs (npm paillier-bigint 3.4.3) once for the class:
/// installs its node_modules with npm ci when missing, sends one JSON request, keeps the answer.
/// </summary>
public sealed class PaillierBigintFixture
{
    public static readonly BigInteger[] Plaintexts = [0, 1, 42, -42, 123_456_789_012, -987_654_321_098_765];

    public PaillierBigintFixture()
    {
        Pair = TestKeys.Main;
        var pub = Pair.PublicKey;
        var root = JsonDocument.Parse(Pair.PrivateKey.ToJwk()).RootElement;
        P = KeyTests.FromB64(root.GetProperty("p").GetString()!);
        Q = KeyTests.FromB64(root.GetProperty("q").GetString()!);
        Ours = Plaintexts.Select(m => pub.Encrypt(m)).ToArray();
        SummandA = pub.EncryptFast(1000);
        SummandB = Pair.PrivateKey.Encrypt(-1);
        var request = new JsonObject
        {
            ["n"] = Dec(pub.N),
            ["p"] = Dec(P),
            ["q"] = Dec(Q),
            ["encrypt"] = new JsonArray(Plaintexts.Select(m => (JsonNode)Dec(pub.Encode(m))).ToArray()),
            ["decrypt"] = new JsonArray(Ours.Select(c => (JsonNode)Dec(c.Value)).ToArray()),
            ["sum"] = new JsonArray(Dec(SummandA.Value), Dec(SummandB.Value)),
            ["scale"] = new JsonObject { ["c"] = Dec(Ours[3].Value), ["k"] = "1000" },
            ["generateBits"] = 2048,
            ["generatedEncrypt"] = new JsonArray("7", "5000"),
        };
        Response = JsonNode.Parse(RunNode(request.ToJsonString()))!.AsObject();
    }

    public PaillierKeyPair Pair { get; }
    public BigInteger P { get; }
    public BigInteger Q { get; }
    public PaillierCiphertext[] Ours { get; }
    public PaillierCiphertext SummandA { get; }
    public PaillierCiphertext SummandB { get; }
    public JsonObject Response { get; }

    internal static string Dec(BigInteger v) => v.ToString(CultureInfo.InvariantCulture);

    internal static BigInteger Big(JsonNode? node) => BigInteger.Parse(node!.GetValue<string>(), CultureInfo.InvariantCulture);

    private static string InteropDirectory()
    {
        // bin/<config>/<tfm>/ → project folder
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "interop", "paillier-interop.mjs"))) dir = dir.Parent;
        return dir is null
            ? throw new InvalidOperationException("interop/paillier-interop.mjs not found above " + AppContext.BaseDirectory)
            : Path.Combine(dir.FullName, "interop");
    }

    private static string RunNode(string request)
    {
        string folder = InteropDirectory();
        if (!Directory.Exists(Path.Combine(folder, "node_modules", "paillier-bigint")))
        {
            var (code, _, err) = Run("npm", "ci --no-audit --no-fund", folder, null, TimeSpan.FromMinutes(3));
            if (code != 0) throw new InvalidOperationException("npm ci failed in " + folder + ": " + err);
        }
        var (exit, stdout, stderr) = Run("node", "paillier-interop.mjs", folder, request, TimeSpan.FromMinutes(2));
        if (exit != 0) throw new InvalidOperationException("node paillier-interop.mjs failed: " + stderr);
        return stdout;
    }

    private static (int Code, string Stdout, string Stderr) Run(string file, string args, string folder, string? stdin, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + file);
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderrTask = process.StandardError.ReadToEndAsync();
        if (stdin is not null) process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {args} did not finish within {timeout}");
        }
        return (process.ExitCode, stdoutTask.Result, stderrTask.Result);
    }
}

public class InteropTests : IClassFixture<PaillierBigintFixture>
{
    private readonly PaillierBigintFixture _node;

    public InteropTests(PaillierBigintFixture node) => _node = node;

    [Fact]
    public void Their_ciphertexts_under_our_key_decrypt_here()
    {
        var cts = _node.Response["ciphertexts"]!.AsArray();
        Assert.Equal(PaillierBigintFixture.Plaintexts.Length, cts.Count);
        for (int i = 0; i < cts.Count; i++)
        {
            var c = PaillierCiphertext.FromValue(_node.Pair.PublicKey, PaillierBigintFixture.Big(cts[i]));
            Assert.Equal(PaillierBigintFixture.Plaintexts[i], _node.Pair.PrivateKey.Decrypt(c));
        }
    }

    [Fact]
    public void Our_ciphertexts_decrypt_there()
    {
        var plain = _node.Response["plaintexts"]!.AsArray();
        for (int i = 0; i < plain.Count; i++)
        {
            Assert.Equal(PaillierBigintFixture.Plaintexts[i], _node.Pair.PublicKey.Decode(PaillierBigintFixture.Big(plain[i])));
        }
    }

    [Fact]
    public void Their_homomorphic_results_on_our_ciphertexts_decrypt_here()
    {
        var key = _node.Pair.PublicKey;
        var sum = PaillierCiphertext.FromValue(key, PaillierBigintFixture.Big(_node.Response["sum"]));
        Assert.Equal(999, _node.Pair.PrivateKey.Decrypt(sum));
        var scaled = PaillierCiphertext.FromValue(key, PaillierBigintFixture.Big(_node.Response["scaled"]));
        Assert.Equal(-42_000, _node.Pair.PrivateKey.Decrypt(scaled));
    }

    [Fact]
    public void Their_key_and_ciphertexts_work_here()
    {
        var generated = _node.Response["generated"]!.AsObject();
        BigInteger n = PaillierBigintFixture.Big(generated["n"]);
        Assert.Equal(n + 1, PaillierBigintFixture.Big(generated["g"]));
        var priv = PaillierPrivateKey.FromPrimes(PaillierBigintFixture.Big(generated["p"]), PaillierBigintFixture.Big(generated["q"]));
        Assert.Equal(n, priv.PublicKey.N);
        var pub = PaillierPublicKey.FromModulus(n);
        var cts = generated["ciphertexts"]!.AsArray().Select(c => PaillierCiphertext.FromValue(pub, PaillierBigintFixture.Big(c))).ToArray();
        Assert.Equal(7, priv.Decrypt(cts[0]));
        Assert.Equal(5000, priv.Decrypt(cts[1]));
        Assert.Equal(5007, priv.Decrypt(pub.Add(cts[0], cts[1])));
        Assert.Equal(-35, priv.Decrypt(pub.Multiply(cts[0], -5)));
    }
}
