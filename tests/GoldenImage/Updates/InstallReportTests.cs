using System.Text;
using RecoverySim.GoldenImage.Updates;
using RecoverySim.Testing;

namespace RecoverySim.GoldenImage.Tests.Updates;

public class InstallReportTests
{
    private static readonly InstallReport Report = new("board-1", "dev-42", "r-1", "r-2", InstallOutcome.RolledBack, "health check failed: tries ran out",
        new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));

    [Fact]
    public void A_report_round_trips_on_one_line_and_with_its_receipt_time()
    {
        byte[] line = Report.ToJson();
        Assert.Equal("{\"board_id\":\"board-1\",\"device_id\":\"dev-42\",\"from_release\":\"r-1\",\"to_release\":\"r-2\",\"outcome\":\"rolled_back\",\"detail\":\"health check failed: tries ran out\",\"time\":\"2026-03-04T05:06:07Z\"}", Encoding.UTF8.GetString(line));
        Assert.Equal(Report, InstallReport.Parse(line));
        InstallReport stored = Report.Received(new DateTimeOffset(2026, 3, 4, 5, 6, 8, 500, TimeSpan.Zero));
        Assert.Equal(stored, InstallReport.Parse(stored.ToJson(), allowReceivedAt: true));
    }

    [Theory]
    [InlineData("\"outcome\":\"rolled_back\"", "\"outcome\":\"ok\"", "report: $.outcome: expected one of \"installed\", \"rolled_back\", \"failed\", \"refused\", found \"ok\"")]
    [InlineData("\"time\":\"2026-03-04T05:06:07Z\"", "\"time\":\"2026-03-04T05:06:07Z\",\"received_at\":\"2026-03-04T05:06:07Z\"", "report: $.received_at: expected no such field (the server sets it), found \"2026-03-04T05:06:07Z\"")]
    [InlineData("\"device_id\":\"dev-42\"", "\"device_id\":\"../x\"", "report: $.device_id: expected 1 to 63 of A-Z a-z 0-9 . _ - starting with a letter or digit, found \"../x\"")]
    [InlineData("\"detail\":\"health check failed: tries ran out\"", "\"detail\":\"two\\nlines\"", "report: $.detail: expected at most 1024 characters on one line (no control characters), found \"two\\u000alines\"")]
    [InlineData("\"to_release\":\"r-2\"", "\"to_release\":\"r-2\",\"hostname\":\"x\"", "report: $.hostname: expected one of the fields board_id, device_id, from_release, to_release, outcome, detail, time, received_at, found an unknown field")]
    public void A_bad_report_is_refused_with_its_path(string from, string to, string message)
    {
        string text = Encoding.UTF8.GetString(Report.ToJson()).Replace(from, to, StringComparison.Ordinal);
        Assert.Equal(message, Assert.Throws<ImageFormatException>(() => InstallReport.Parse(Encoding.UTF8.GetBytes(text))).Message);
    }

    [Fact]
    public void Mutated_reports_give_an_image_format_exception_or_a_report() =>
        Fuzz.Check(1706, Fuzz.Mutated(Report.ToJson(), Report.Received(Report.Time).ToJson(indented: true)), bytes =>
        {
            InstallReport r = InstallReport.Parse(bytes, allowReceivedAt: true);
            Assert.Equal(r, InstallReport.Parse(r.ToJson(), allowReceivedAt: true));
        }, typeof(ImageFormatException));
}
