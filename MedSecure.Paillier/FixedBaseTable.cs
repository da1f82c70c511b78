using System.Numerics;

namespace MedSecure.Paillier;

/// <summary>
/// Fixed-base exponentiation g^e for secret exponents of a known maximum length, by the Lim–Lee comb:
/// the exponent is cut into <c>h</c> rows of <c>a</c> bits and the columns into <c>v</c> groups of <c>b</c>,
/// with 2^h precomputed products per group. One exponentiation costs b − 1 squarings and a multiplications
/// instead of about 1.2·t for a windowed square-and-multiply. Each multiplication reads all 2^h entries of
/// its group and selects one with masks, so memory accesses do not depend on the exponent.
/// </summary>
internal sealed unsafe class FixedBaseTable
{
    private readonly MontgomeryCore _core;
    private readonly ulong[] _table; // [group s][index I] → element, each Length slots
    private readonly int _rows, _groups, _rowBits, _groupBits, _len;

    public FixedBaseTable(MontgomeryModulus modulus, BigInteger b, int exponentBits, int rows = 7, int groups = 4)
    {
        _core = modulus.Core;
        _len = _core.Length;
        ExponentBits = exponentBits;
        _rows = rows;
        _groups = groups;
        int a = (exponentBits + rows - 1) / rows;
        _groupBits = (a + groups - 1) / groups;
        _rowBits = _groupBits * groups;
        int entries = 1 << rows;
        _table = new ulong[groups * entries * _len];
        var basePowers = new ulong[rows * groups * _len]; // g^(2^(u·groupBits)), u = r·groups + s
        var scratch = new ulong[_core.ScratchLength];
        var current = new ulong[_len];
        fixed (ulong* bp = basePowers, sc = scratch, cur = current, table = _table, one = _core.One)
        {
            _core.ToMontgomery(b, cur, sc);
            for (int u = 0; u < rows * groups; u++)
            {
                new Span<ulong>(cur, _len).CopyTo(new Span<ulong>(bp + u * _len, _len));
                if (u + 1 < rows * groups)
                {
                    for (int i = 0; i < _groupBits; i++) _core.Square(cur, cur, sc);
                }
            }
            for (int s = 0; s < groups; s++)
            {
                ulong* group = table + s * entries * _len;
                new Span<ulong>(one, _len).CopyTo(new Span<ulong>(group, _len));
                for (int index = 1; index < entries; index++)
                {
                    int top = 31 - BitOperations.LeadingZeroCount((uint)index);
                    _core.Multiply(group + (index ^ (1 << top)) * _len, bp + (top * groups + s) * _len, group + index * _len, sc);
                }
            }
        }
        Array.Clear(basePowers);
    }

    /// <summary>Largest exponent bit length supported.</summary>
    public int ExponentBits { get; }

    /// <summary>g^e mod m for 0 ≤ e &lt; 2^ExponentBits.</summary>
    public BigInteger Pow(BigInteger e)
    {
        if (e.Sign < 0 || e.GetBitLength() > ExponentBits) throw new ArgumentOutOfRangeException(nameof(e));
        int entries = 1 << _rows;
        byte[] bits = new byte[(_rows * _rowBits + 7) / 8 + 1];
        e.TryWriteBytes(bits, out _, isUnsigned: true, isBigEndian: false);
        var buffer = new ulong[2 * _len + _core.ScratchLength];
        try
        {
            fixed (ulong* buf = buffer, table = _table, one = _core.One)
            {
                ulong* acc = buf;
                ulong* selected = buf + _len;
                ulong* sc = selected + _len;
                new Span<ulong>(one, _len).CopyTo(new Span<ulong>(acc, _len));
                for (int k = _groupBits - 1; k >= 0; k--)
                {
                    if (k != _groupBits - 1) _core.Square(acc, acc, sc);
                    for (int s = 0; s < _groups; s++)
                    {
                        int column = s * _groupBits + k;
                        int index = 0;
                        for (int r = 0; r < _rows; r++)
                        {
                            int bit = r * _rowBits + column;
                            index |= ((bits[bit >> 3] >> (bit & 7)) & 1) << r;
                        }
                        MontgomeryModulus.SelectConstantAccess(table + s * entries * _len, entries, _len, index, selected);
                        _core.Multiply(acc, selected, acc, sc);
                    }
                }
                return _core.FromMontgomery(acc, sc);
            }
        }
        finally
        {
            Array.Clear(buffer);
            Array.Clear(bits);
        }
    }
}
