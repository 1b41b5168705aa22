using System.CommandLine;
using System.Text;

namespace RecoverySim.Cli.Reference;

/// <summary>The man page recoverysim(1), in roff (man(7) macros), generated from the command tree.</summary>
public static class ManPage
{
    /// <summary>The page for <paramref name="root"/>, version <paramref name="version"/>.</summary>
    public static string Write(RootCommand root, string version)
    {
        ArgumentNullException.ThrowIfNull(root);
        var b = new StringBuilder();
        b.Append(".TH RECOVERYSIM 1 \"\" \"recoverysim ").Append(Escape(version)).Append("\" \"User Commands\"\n");
        b.Append(".SH NAME\nrecoverysim \\- ").Append(Escape(root.Description ?? string.Empty)).Append('\n');
        b.Append(".SH SYNOPSIS\n.B recoverysim\n\\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n");
        b.Append(".SH DESCRIPTION\nOne executable for the whole simulator. Every command prints one clear line on standard error and exits non-zero when it fails; ");
        b.Append("most have \\fB\\-\\-json\\fR for programs. This page is generated from the command tree (\\fBrecoverysim man\\fR), as \\fB\\-\\-help\\fR is.\n");
        b.Append(".SH COMMANDS\n");
        foreach (CommandTree.Node node in CommandTree.Walk(root))
        {
            if (node.Path.Length == 0)
            {
                continue;
            }

            b.Append(".SS \"recoverysim ").Append(Escape(node.Path));
            foreach (Argument argument in node.Command.Arguments.Where(a => !a.Hidden))
            {
                b.Append(' ').Append(Escape(argument.Name.ToUpperInvariant()));
            }

            b.Append("\"\n").Append(Escape(node.Command.Description ?? string.Empty)).Append('\n');
            foreach (Argument argument in node.Command.Arguments.Where(a => !a.Hidden))
            {
                b.Append(".TP\n.I ").Append(Escape(argument.Name.ToUpperInvariant())).Append('\n').Append(Escape(argument.Description ?? string.Empty)).Append('\n');
            }

            foreach (Option option in node.Options)
            {
                b.Append(".TP\n.B ").Append(Escape(string.Join(", ", CommandTree.Names(option))));
                if (CommandTree.TakesValue(option))
                {
                    b.Append(" \\fI").Append(Escape(option.HelpName ?? "VALUE")).Append("\\fR");
                }

                b.Append('\n').Append(Escape(option.Description ?? string.Empty)).Append('\n');
            }
        }

        b.Append(".SH EXIT STATUS\n0 when the command did what it says; non-zero on any failure, with one line on standard error.\n");
        b.Append(".SH FILES\n.TP\n.I /etc/recoverysim/tftp.json\nThe configuration of the \\fBrecoverysim-tftp\\fR service (\\fBserve \\-\\-config\\fR); keys in docs/FORMAT.md.\n");
        b.Append(".SH SEE ALSO\n\\fBsystemd.socket\\fR(5), \\fBin.tftpd\\fR(8), \\fBcurl\\fR(1)\n");
        return b.ToString();
    }

    // man(7): a backslash is \e, a dash is \-, and a line may not start with '.' or '\''.
    private static string Escape(string text)
    {
        string escaped = text.ReplaceLineEndings(" ").Replace("\\", "\\e", StringComparison.Ordinal).Replace("-", "\\-", StringComparison.Ordinal);
        return escaped.StartsWith('.') || escaped.StartsWith('\'') ? "\\&" + escaped : escaped;
    }
}
