using System.Security.Cryptography;

namespace MedSecure.Web.Storage;

/// <summary>
/// Firebase-style push ids: 8 characters of millisecond timestamp and 12 random characters from an
/// alphabet in ASCII order, so ids sort chronologically as plain strings and never collide in
/// practice. Ids made within one millisecond increment the random part, keeping them ordered; a
/// clock that steps back never makes an id sort before an earlier one from this generator.
/// </summary>
/// <remarks>
/// Both adapters generate keys here (the Firebase one then writes with PUT rather than POST) so a
/// push that is retried after a lost answer rewrites the same child instead of adding a duplicate.
/// The random part comes from a cryptographic generator so ids cannot be guessed.
/// </remarks>
public sealed class PushIdGenerator
{
    private const string Alphabet = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly int[] _lastRandom = new int[12];
    private long _lastMs = -1;

    /// <summary>Creates a generator reading the clock from <paramref name="timeProvider"/>.</summary>
    public PushIdGenerator(TimeProvider? timeProvider = null) => _time = timeProvider ?? TimeProvider.System;

    /// <summary>Returns the next id (20 characters).</summary>
    public string Next()
    {
        Span<char> id = stackalloc char[20];
        lock (_gate)
        {
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            if (now > _lastMs)
            {
                _lastMs = now;
                for (var i = 0; i < _lastRandom.Length; i++)
                {
                    _lastRandom[i] = RandomNumberGenerator.GetInt32(Alphabet.Length);
                }
            }
            else
            {
                // Same millisecond (or the clock went back): stay on the last timestamp, count up.
                var i = _lastRandom.Length - 1;
                while (i >= 0 && _lastRandom[i] == Alphabet.Length - 1)
                {
                    _lastRandom[i] = 0;
                    i--;
                }

                if (i < 0)
                {
                    _lastMs++;
                }
                else
                {
                    _lastRandom[i]++;
                }
            }

            var ms = _lastMs;
            for (var i = 7; i >= 0; i--)
            {
                id[i] = Alphabet[(int)(ms % 64)];
                ms /= 64;
            }

            for (var i = 0; i < _lastRandom.Length; i++)
            {
                id[8 + i] = Alphabet[_lastRandom[i]];
            }
        }

        return new string(id);
    }
}
