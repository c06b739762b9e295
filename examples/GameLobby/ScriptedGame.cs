namespace GameLobby;

/// <summary>A scripted game between a host and its guest: the cells are played in turn, the host first (X).</summary>
internal static class ScriptedGame
{
    /// <summary>Plays <paramref name="cells"/> in turn until the game ends, and reports each move.</summary>
    public static async Task PlayAsync(TablePlayer host, TablePlayer guest, IEnumerable<int> cells, Action<string> report, CancellationToken cancellationToken)
    {
        foreach (var cell in cells)
        {
            var player = host.State.ToMove == host.Name ? host : guest;
            await player.PlayAsync(cell, cancellationToken).ConfigureAwait(false);
            report($"  {player.Name,-5} plays {cell}: {player.State}");
            if (player.State.Status != "playing")
            {
                return;
            }
        }
    }
}
