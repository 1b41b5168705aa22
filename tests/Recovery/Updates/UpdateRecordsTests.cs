using System.Text;
using RecoverySim.BlockDevice;
using RecoverySim.GoldenImage;
using RecoverySim.GoldenImage.Updates;
using RecoverySim.Recovery.Updates;
using RecoverySim.Testing;

namespace RecoverySim.Recovery.Tests.Updates;

/// <summary>The update agent's two records: the download area's header (docs/FORMAT.md "Download area") and update-state.json.</summary>
public sealed class UpdateRecordsTests
{
    private static readonly Gen<DownloadRecord> GenRecord =
        from sha in Gen.Byte.Array[32]
        from size in Gen.Long[1, UpdateIndex.MaxPackageSize]
        from durable in Gen.Double[0, 1]
        from validator in Gen.Char['!', '~'].Array[0, DownloadRecord.MaxValidatorLength].Select(c => new string(c))
        from file in Gen.Char['a', 'z'].Array[1, 120].Select(c => new string(c) + ".rsim")
        from sequence in Gen.ULong
        select new DownloadRecord(sha, size, (long)(size * durable), validator, file, sequence);

    private static byte[] Bytes(DownloadRecord record)
    {
        byte[] bytes = new byte[DownloadRecord.RecordSize];
        record.WriteTo(bytes);
        return bytes;
    }

    [Fact]
    public void A_download_record_round_trips() =>
        GenRecord.Sample(record => DownloadRecord.TryParse(Bytes(record), out DownloadRecord back) && back.Equals(record), iter: 500);

    [Fact]
    public void Mutated_download_records_never_throw_and_what_is_accepted_round_trips()
    {
        byte[][] valid = [.. GenRecord.Array[3].Single(_ => true, Fuzz.Seed(2601)).Select(Bytes)];
        Fuzz.Mutated(valid).Sample(bytes =>
        {
            if (DownloadRecord.TryParse(bytes, out DownloadRecord record))
            {
                Assert.True(DownloadRecord.TryParse(Bytes(record), out DownloadRecord again) && again.Equals(record));
            }
        }, seed: Fuzz.Seed(2602), iter: Fuzz.Iterations);
    }

    [Fact]
    public void A_torn_header_reads_as_no_download()
    {
        var device = new MemoryBlockDevice(64);
        var area = new DownloadArea(device);
        DownloadRecord record = GenRecord.Single(_ => true, Fuzz.Seed(2603)) with { Size = area.Capacity, Durable = 4096 };
        area.Write(record);
        Assert.Equal(record, area.Read());
        byte[] sector = new byte[512];
        device.Read(0, sector);
        sector[100] ^= 1;
        device.Write(0, sector);
        Assert.Null(area.Read());
        area.Write(record);
        area.Clear();
        Assert.Null(area.Read());
    }

    [Fact]
    public void A_record_outside_the_rules_is_refused_by_the_writer() =>
        Assert.Throws<ArgumentException>(() => Bytes(new DownloadRecord(new byte[32], 10, 11, "", "a.rsim", 0)));

    private static readonly Gen<UpdateState> GenState =
        from sequence in Gen.Long[0, long.MaxValue]
        from status in Gen.Int[0, UpdateStatusNames.All.Count - 1].Select(i => UpdateStatusNames.All[i].Value)
        from detail in Gen.String[Gen.Char['a', 'z'], 0, 80]
        from checkedAt in Gen.Long[0, 3_000_000_000].Select(s => (DateTimeOffset?)DateTimeOffset.FromUnixTimeSeconds(s))
        from delta in Gen.Bool
        from approved in Gen.Bool
        from attempt in Gen.Bool
        from reports in Gen.Int[0, 3]
        select new UpdateState
        {
            LastSequence = sequence,
            Status = status,
            Detail = detail,
            LastCheck = checkedAt,
            Offered = new UpdatePackage(delta ? UpdatePackageKind.Delta : UpdatePackageKind.Full, "rel-2", "2.0", 2, delta ? "rel-1" : null, "r2.rsim", 4096,
                new string('a', 64), new string('b', 64)),
            ApprovedRelease = approved ? "rel-2" : null,
            Attempt = attempt ? new UpdateAttempt("rel-1", "rel-2", "b", sequence % 2 == 0) : null,
            UnsentReports = [.. Enumerable.Range(0, reports).Select(i => new InstallReport("board-1", "dev-1", "rel-1", "rel-2", InstallOutcome.Installed, $"report {i}",
                DateTimeOffset.FromUnixTimeSeconds(1_800_000_000 + i)))],
        };

    [Fact]
    public void The_update_state_round_trips_through_its_file_bytes() =>
        GenState.Sample(state => UpdateStateFile.Parse(UpdateStateFile.ToJson(state)).Equals(state), iter: 300);

    [Fact]
    public void Mutated_update_state_files_give_a_format_error_or_a_state_that_round_trips()
    {
        byte[][] valid = [.. GenState.Array[3].Single(_ => true, Fuzz.Seed(2604)).Select(UpdateStateFile.ToJson)];
        Fuzz.Check(2605, Fuzz.Mutated(valid), bytes =>
        {
            UpdateState state = UpdateStateFile.Parse(bytes);
            Assert.Equal(state, UpdateStateFile.Parse(UpdateStateFile.ToJson(state)));
        }, typeof(ImageFormatException));
    }

    [Fact]
    public void A_defective_state_file_names_its_field()
    {
        string json = Encoding.UTF8.GetString(UpdateStateFile.ToJson(UpdateState.Initial with { Attempt = new UpdateAttempt(null, "rel-2", "b", false) }));
        var e = Assert.Throws<ImageFormatException>(() => UpdateStateFile.Parse(Encoding.UTF8.GetBytes(json.Replace("\"slot\": \"b\"", "\"slot\": \"c\"", StringComparison.Ordinal))));
        Assert.Equal("update-state.json: $.attempt.slot: expected \"a\" or \"b\", found \"c\"", e.Message);
        e = Assert.Throws<ImageFormatException>(() => UpdateStateFile.Parse(Encoding.UTF8.GetBytes(json.Replace("\"version\": 1", "\"version\": 2", StringComparison.Ordinal))));
        Assert.Contains("$.version", e.Message, StringComparison.Ordinal);
    }
}
