using System.CommandLine;

namespace RecoverySim.Cli.Reference;

/// <summary>
/// The visible commands of the command line, walked from the root: what the man page and the
/// shell completions are generated from, so they never drift from <c>--help</c>.
/// </summary>
public static class CommandTree
{
    /// <summary>One command with its full path (<c>image build</c>; empty for the root).</summary>
    /// <param name="Path">The words after <c>recoverysim</c>.</param>
    /// <param name="Command">The command.</param>
    public readonly record struct Node(string Path, Command Command)
    {
        /// <summary>The options shown by <c>--help</c>, without hidden ones.</summary>
        public IEnumerable<Option> Options => Command.Options.Where(o => !o.Hidden);

        /// <summary>The visible subcommands.</summary>
        public IEnumerable<Command> Subcommands => Command.Subcommands.Where(c => !c.Hidden);
    }

    /// <summary>Every visible command, depth first, the root first; the tree's order otherwise.</summary>
    public static IEnumerable<Node> Walk(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var stack = new Stack<Node>();
        stack.Push(new Node(string.Empty, root));
        while (stack.Count > 0)
        {
            Node node = stack.Pop();
            yield return node;
            foreach (Command child in node.Subcommands.Reverse())
            {
                stack.Push(new Node(node.Path.Length == 0 ? child.Name : $"{node.Path} {child.Name}", child));
            }
        }
    }

    /// <summary>An option's names: its name and aliases, longest first.</summary>
    public static IEnumerable<string> Names(Option option)
    {
        ArgumentNullException.ThrowIfNull(option);
        return new[] { option.Name }.Concat(option.Aliases).Distinct().OrderByDescending(n => n.Length);
    }

    /// <summary>True when the option takes a value (anything but a flag).</summary>
    public static bool TakesValue(Option option)
    {
        ArgumentNullException.ThrowIfNull(option);
        return option.ValueType != typeof(bool);
    }
}
