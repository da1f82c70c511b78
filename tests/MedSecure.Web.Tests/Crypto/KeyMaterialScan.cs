using System.Buffers.Text;
using System.Globalization;
using System.Numerics;

namespace MedSecure.Web.Tests.Crypto;

/// <summary>
/// The encodings a secret could leak in: hex (both cases, compared case-insensitively), base64,
/// base64url and, for numbers, decimal. Base64 of bytes depends on alignment, so the three
/// possible byte offsets are covered by encoding suffixes.
/// </summary>
internal static class KeyMaterialScan
{
    public static IEnumerable<string> Encodings(byte[] bytes)
    {
        yield return Convert.ToHexString(bytes);
        for (int offset = 0; offset < 3 && bytes.Length - offset >= 12; offset++)
        {
            // Drop the last (partial) base64 quantum: its characters depend on what follows.
            byte[] slice = bytes[offset..];
            int whole = slice.Length / 3 * 3;
            string base64 = Convert.ToBase64String(slice, 0, whole);
            yield return base64;
            yield return Base64Url.EncodeToString(slice.AsSpan(0, whole));
        }
    }

    public static IEnumerable<string> Encodings(BigInteger number)
    {
        yield return number.ToString(CultureInfo.InvariantCulture);
        foreach (string encoded in Encodings(number.ToByteArray(isUnsigned: true, isBigEndian: true)))
        {
            yield return encoded;
        }

        foreach (string encoded in Encodings(number.ToByteArray(isUnsigned: true, isBigEndian: false)))
        {
            yield return encoded;
        }
    }
}
