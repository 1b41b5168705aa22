using System.Text;
using RecoverySim.GoldenImage.Keys;
using RecoverySim.GoldenImage.Updates;
using RecoverySim.Testing;

namespace RecoverySim.GoldenImage.Tests.Updates;

public class UpdateIndexTests
{
    private const string Board = "board-1", Channel = "stable";

    private static UpdateIndex Sample(DateTimeOffset? issued = null, long sequence = 7, SigningKey? key = null)
    {
        key ??= TestKeys.Ed25519;
        DateTimeOffset at = issued ?? UpdateIndexGen.Issued;
        var full = new UpdatePackage(UpdatePackageKind.Full, "r-2", "2.0", 4, null, "r2.rsim", 123456, new string('a', 64), new string('b', 64));
        var delta = new UpdatePackage(UpdatePackageKind.Delta, "r-2", "2.0", 4, "r-1", "r2-from-r1.rsim", 999, new string('c', 64), new string('d', 64));
        return new UpdateIndex(Board, Channel, sequence, at, at.AddHours(24), key.KeyId, key.Algorithm, full.Target, [full, delta]);
    }

    private static UpdateIndexReadOptions Options(TimeProvider? time = null, SigningKey? trusted = null) =>
        new(new TrustedKeySet((trusted ?? TestKeys.Ed25519).PublicKey), Board, Channel, time ?? Clock(UpdateIndexGen.Issued.AddHours(1)));

    private static ManualTimeProvider Clock(DateTimeOffset at)
    {
        var clock = new ManualTimeProvider();
        clock.Advance(at - clock.GetUtcNow());
        return clock;
    }

    [Theory]
    [InlineData(SignatureAlgorithm.Ed25519)]
    [InlineData(SignatureAlgorithm.EcdsaP256Sha256)]
    [InlineData(SignatureAlgorithm.RsaPss3072Sha256)]
    public void A_signed_index_reads_back_with_its_key(SignatureAlgorithm algorithm)
    {
        SigningKey key = TestKeys.For(algorithm);
        UpdateIndex index = Sample(key: key);
        SignedUpdateIndex signed = SignedUpdateIndex.Sign(index, key);
        VerifiedUpdateIndex verified = UpdateIndexReader.Read(signed.Json, signed.Signature, Options(trusted: key));
        Assert.Equal(index, verified.Index);
        Assert.Equal(key.KeyId, verified.SigningKey.KeyId);
        Assert.Equal(signed.Json, verified.Index.ToJson());
    }

    [Fact]
    public void The_index_is_written_with_every_field_and_explicit_nulls()
    {
        string text = Encoding.UTF8.GetString(Sample().ToJson());
        Assert.StartsWith("{\n  \"format\": \"recoverysim-update-index\",\n  \"format_version\": 1,\n  \"board_id\": \"board-1\",\n  \"channel\": \"stable\",\n  \"sequence\": 7,\n  \"issued_at\": \"2026-01-01T00:00:00Z\",\n  \"expires_at\": \"2026-01-02T00:00:00Z\",", text, StringComparison.Ordinal);
        Assert.Contains("\"from_release\": null,", text, StringComparison.Ordinal);
        Assert.Contains("\"from_release\": \"r-1\",", text, StringComparison.Ordinal);
        Assert.EndsWith("}\n", text, StringComparison.Ordinal);
        var empty = new UpdateIndex(Board, Channel, 1, UpdateIndexGen.Issued, UpdateIndexGen.Issued.AddHours(1), TestKeys.Ed25519.KeyId, SignatureAlgorithm.Ed25519, null, []);
        Assert.Contains("\"latest\": null,", Encoding.UTF8.GetString(empty.ToJson()), StringComparison.Ordinal);
        Assert.Equal(empty, UpdateIndex.Parse(empty.ToJson()));
    }

    [Fact]
    public void A_tampered_byte_is_refused_before_any_field_is_believed()
    {
        SignedUpdateIndex signed = SignedUpdateIndex.Sign(Sample(), TestKeys.Ed25519);
        byte[] json = (byte[])signed.Json.Clone();
        int at = Encoding.UTF8.GetString(json).IndexOf("123456", StringComparison.Ordinal);
        json[at] = (byte)'9';
        var e = Assert.Throws<SignatureException>(() => UpdateIndexReader.Read(json, signed.Signature, Options()));
        Assert.Contains("does not verify with any trusted key", e.Message, StringComparison.Ordinal);
        Assert.Contains("so the index or its signature was altered", e.Message, StringComparison.Ordinal);

        byte[] signature = (byte[])signed.Signature.Clone();
        signature[0] ^= 1;
        Assert.Throws<SignatureException>(() => UpdateIndexReader.Read(signed.Json, signature, Options()));
    }

    [Fact]
    public void An_index_signed_by_an_unknown_key_is_refused_naming_the_key()
    {
        SignedUpdateIndex signed = SignedUpdateIndex.Sign(Sample(key: TestKeys.OtherEd25519), TestKeys.OtherEd25519);
        var e = Assert.Throws<SignatureException>(() => UpdateIndexReader.Read(signed.Json, signed.Signature, Options()));
        Assert.Contains($"it names key id {TestKeys.OtherEd25519.KeyId}, which is not trusted", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_board_or_channel_is_refused()
    {
        SignedUpdateIndex signed = SignedUpdateIndex.Sign(Sample(), TestKeys.Ed25519);
        var board = Assert.Throws<ImagePolicyException>(() => UpdateIndexReader.Read(signed.Json, signed.Signature, Options() with { BoardId = "board-2" }));
        Assert.Equal("index.json: field board_id is 'board-1', expected 'board-2' (an index for another board)", board.Message);
        var channel = Assert.Throws<ImagePolicyException>(() => UpdateIndexReader.Read(signed.Json, signed.Signature, Options() with { Channel = "beta" }));
        Assert.Equal("index.json: field channel is 'stable', expected 'beta'", channel.Message);
    }

    [Fact]
    public void An_expired_index_is_refused_on_the_clients_clock()
    {
        SignedUpdateIndex signed = SignedUpdateIndex.Sign(Sample(), TestKeys.Ed25519);
        ManualTimeProvider clock = Clock(UpdateIndexGen.Issued.AddHours(24).AddSeconds(-1));
        Assert.NotNull(UpdateIndexReader.Read(signed.Json, signed.Signature, Options(clock)));
        clock.Advance(TimeSpan.FromSeconds(1));
        var e = Assert.Throws<ImagePolicyException>(() => UpdateIndexReader.Read(signed.Json, signed.Signature, Options(clock)));
        Assert.Equal("index.json: expired at 2026-01-02T00:00:00Z, now is 2026-01-02T00:00:00Z (a stale or frozen index)", e.Message);
    }

    [Fact]
    public void An_older_sequence_than_the_last_accepted_is_refused()
    {
        SignedUpdateIndex signed = SignedUpdateIndex.Sign(Sample(sequence: 7), TestKeys.Ed25519);
        Assert.NotNull(UpdateIndexReader.Read(signed.Json, signed.Signature, Options() with { MinimumSequence = 7 }));
        var e = Assert.Throws<ImagePolicyException>(() => UpdateIndexReader.Read(signed.Json, signed.Signature, Options() with { MinimumSequence = 8 }));
        Assert.Contains("field sequence is 7, below 8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_index_that_names_another_key_than_its_signer_is_refused()
    {
        UpdateIndex index = Sample(key: TestKeys.OtherEd25519);
        byte[] json = index.ToJson();
        var e = Assert.Throws<SignatureException>(() => UpdateIndexReader.Read(json, TestKeys.Ed25519.Sign(json), Options()));
        Assert.Contains($"field key_id is {TestKeys.OtherEd25519.KeyId}, but the index is signed by key {TestKeys.Ed25519.KeyId}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"sequence\": 7", "\"sequence\": 0", "index.json: $.sequence: expected an integer from 1 to 9223372036854775807, found 0")]
    [InlineData("\"expires_at\": \"2026-01-02T00:00:00Z\"", "\"expires_at\": \"2026-01-02T00:00:00+00:00\"", "index.json: $.expires_at: expected an RFC 3339 UTC time to the second, YYYY-MM-DDTHH:MM:SSZ, found \"2026-01-02T00:00:00+00:00\"")]
    [InlineData("\"expires_at\": \"2026-01-02T00:00:00Z\"", "\"expires_at\": \"2025-01-02T00:00:00Z\"", "index.json: $.expires_at: expected a time after issued_at (2026-01-01T00:00:00Z) by at most 366 days, found \"2025-01-02T00:00:00Z\"")]
    [InlineData("\"file\": \"r2.rsim\"", "\"file\": \"../r2.rsim\"", "index.json: $.packages[0].file: expected 1 to 128 of A-Z a-z 0-9 . _ - starting with a letter or digit and ending in .rsim, found \"../r2.rsim\"")]
    [InlineData("\"from_release\": null", "\"from_release\": \"r-0\"", "index.json: $.packages[0].from_release: expected null (a full package installs over any release), found \"r-0\"")]
    [InlineData("\"size\": 123456", "\"size\": 0", "index.json: $.packages[0].size: expected an integer from 1 to 1099511627776, found 0")]
    [InlineData("\"kind\": \"full\"", "\"kind\": \"patch\"", "index.json: $.packages[0].kind: expected one of \"full\", \"delta\", found \"patch\"")]
    [InlineData("\"rollback_index\": 4\n  }", "\"rollback_index\": 3\n  }", "index.json: $.latest: expected the release id, version and rollback index of a full package in packages, found \"r-2\"")]
    [InlineData("\"channel\": \"stable\",", "\"channel\": \"stable\", \"extra\": 1,", "index.json: $.extra: expected one of the fields format, format_version, board_id, channel, sequence, issued_at, expires_at, key_id, signature_algorithm, latest, packages, found an unknown field")]
    public void Each_bad_field_is_refused_with_its_path(string from, string to, string message)
    {
        string text = Encoding.UTF8.GetString(Sample().ToJson());
        Assert.Contains(from, text, StringComparison.Ordinal);
        var e = Assert.Throws<ImageFormatException>(() => UpdateIndex.Parse(Encoding.UTF8.GetBytes(text.Replace(from, to, StringComparison.Ordinal))));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Every_generated_index_round_trips() =>
        UpdateIndexGen.Index.Sample(index => Assert.Equal(index, UpdateIndex.Parse(index.ToJson())), seed: Fuzz.Seed(1701), iter: 500);

    [Fact]
    public void Mutated_indexes_give_an_image_format_exception_or_an_index_that_writes_back()
    {
        byte[][] valid = [.. UpdateIndexGen.Index.Array[4].Single(_ => true, Fuzz.Seed(1702)).Select(i => i.ToJson()), Sample().ToJson()];
        Fuzz.Check(1703, Fuzz.Mutated(valid), bytes =>
        {
            UpdateIndex index = UpdateIndex.Parse(bytes);
            Assert.Equal(index, UpdateIndex.Parse(index.ToJson()));
        }, typeof(ImageFormatException));
    }

    [Fact]
    public void Mutated_index_bytes_never_verify()
    {
        SignedUpdateIndex signed = SignedUpdateIndex.Sign(Sample(), TestKeys.Ed25519);
        Fuzz.Check(1705, Fuzz.Mutated(signed.Json), bytes =>
        {
            VerifiedUpdateIndex verified = UpdateIndexReader.Read(bytes, signed.Signature, Options());
            Assert.True(bytes.AsSpan().SequenceEqual(signed.Json), "a changed index verified");
        }, typeof(SignatureException), typeof(ImageFormatException));
    }
}
