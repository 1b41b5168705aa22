namespace RecoverySim.Testing;

/// <summary>
/// Mutation fuzzing of a parser (STYLE.md "Tests": mutated bytes give a typed exception, never a
/// crash or hang): valid inputs changed by bit flips, truncations, splices of another valid
/// input, duplicated and deleted ranges and "interesting" bytes (digits, quotes, braces, 0x00,
/// 0xFF), with a fixed seed and a fixed number of iterations so that a failure replays and the
/// time is bounded. Shared by the test projects (linked from tests/Shared).
/// </summary>
public static class Fuzz
{
    /// <summary>Iterations of one property: enough to reach every mutation kind many times, a few seconds at most.</summary>
    public const int Iterations = 3000;

    private static readonly byte[] Interesting = [0x00, 0xFF, 0x7F, 0x80, (byte)'0', (byte)'7', (byte)'9', (byte)' ', (byte)'"', (byte)'\\',
        (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'-', (byte)'e', (byte)'.', (byte)'u', (byte)'\n'];

    /// <summary>The fixed seed of fuzz property <paramref name="n"/>.</summary>
    public static string Seed(int n) => new PCG(1, (ulong)n).ToString();

    /// <summary>One to four mutations of one of <paramref name="valid"/> (each non-empty).</summary>
    public static Gen<byte[]> Mutated(params byte[][] valid) =>
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Int[0, valid.Length - 1], Gen.Select(Gen.Int[0, 5], Gen.Int, Gen.Int, Gen.Int).Array[1, 4])
            .Select((i, j, mutations) =>
            {
                byte[] bytes = valid[i];
                foreach ((int kind, int a, int b, int c) in mutations)
                {
                    bytes = Apply(bytes, valid[j], kind, (uint)a, (uint)b, (uint)c);
                }

                return bytes;
            });

    /// <summary>
    /// Runs <paramref name="parse"/> over mutated inputs: each must return (a valid result, which
    /// <paramref name="parse"/> may check itself) or throw one of <paramref name="allowed"/> with a
    /// one-line message; any other exception fails with the input's hex.
    /// </summary>
    public static void Check(int seed, Gen<byte[]> inputs, Action<byte[]> parse, params Type[] allowed) =>
        inputs.Sample(bytes =>
        {
            try
            {
                parse(bytes);
            }
            catch (Exception e) when (allowed.Any(t => t.IsInstanceOfType(e)))
            {
                Assert.False(e.Message.Contains('\n', StringComparison.Ordinal), $"two lines: {e.Message}");
            }
            catch (Exception e)
            {
                Assert.Fail($"{e.GetType().Name} for input {Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 512)))}: {e}");
            }
        }, seed: Seed(seed), iter: Iterations);

    private static byte[] Apply(byte[] input, byte[] other, int kind, uint a, uint b, uint c)
    {
        if (input.Length == 0)
        {
            return input;
        }

        int at = (int)(a % (uint)input.Length);
        int length = (int)(b % 64) + 1;
        switch (kind)
        {
            case 0: // flip one bit
            {
                byte[] copy = (byte[])input.Clone();
                copy[at] ^= (byte)(1 << (int)(b % 8));
                return copy;
            }

            case 1: // truncate
                return input[..at];
            case 2: // splice a range of another valid input over this one
            {
                byte[] copy = (byte[])input.Clone();
                int from = (int)(c % (uint)other.Length);
                int n = Math.Min(length, Math.Min(other.Length - from, copy.Length - at));
                other.AsSpan(from, n).CopyTo(copy.AsSpan(at));
                return copy;
            }

            case 3: // duplicate a range in place
            {
                int n = Math.Min(length, input.Length - at);
                return [.. input.AsSpan(0, at + n), .. input.AsSpan(at, n), .. input.AsSpan(at + n)];
            }

            case 4: // delete a range
            {
                int n = Math.Min(length, input.Length - at);
                return [.. input.AsSpan(0, at), .. input.AsSpan(at + n)];
            }

            default: // an interesting byte
            {
                byte[] copy = (byte[])input.Clone();
                copy[at] = Interesting[c % (uint)Interesting.Length];
                return copy;
            }
        }
    }
}
