using Kademlia.Identity;
using Kademlia.Records;
using Kademlia.Records.Internal;
using Kademlia.Wire;
using Microsoft.Data.Sqlite;

namespace Kademlia.Persistence.Internal;

/// <summary>
/// Writes the changes <see cref="MemoryRecordStore"/> makes to the database, each inside the
/// transaction of the store operation that caused it, with commands prepared once.
/// </summary>
internal sealed class SqliteRecordJournal : IRecordStoreJournal, IDisposable
{
    private readonly SqliteCommand _upsertValue;
    private readonly SqliteCommand _deleteValue;
    private readonly SqliteCommand _upsertProvider;
    private readonly SqliteCommand _deleteProvider;

    public SqliteRecordJournal(SqliteConnection connection)
    {
        _upsertValue = Command(connection,
            "INSERT OR REPLACE INTO value_record (key, record, source, stored_at, expires_at) VALUES ($key, $record, $source, $stored_at, $expires_at)",
            "$key", "$record", "$source", "$stored_at", "$expires_at");
        _deleteValue = Command(connection, "DELETE FROM value_record WHERE key = $key", "$key");
        _upsertProvider = Command(connection,
            "INSERT OR REPLACE INTO provider_record (topic, provider, record, source, stored_at, expires_at) VALUES ($topic, $provider, $record, $source, $stored_at, $expires_at)",
            "$topic", "$provider", "$record", "$source", "$stored_at", "$expires_at");
        _deleteProvider = Command(connection, "DELETE FROM provider_record WHERE topic = $topic AND provider = $provider", "$topic", "$provider");
    }

    /// <summary>The transaction the next changes belong to; every change needs one.</summary>
    public SqliteTransaction? Transaction { get; set; }

    public void ValueStored(StoredValue value) =>
        Run(_upsertValue, value.Record.Key.ToArray(), MessageCodec.EncodeRecord(value.Record), value.Source.ToArray(),
            value.StoredAt.UtcTicks, value.ExpiresAt.UtcTicks);

    public void ValueRemoved(NodeId key) => Run(_deleteValue, key.ToArray());

    public void ProviderStored(StoredProvider provider) =>
        Run(_upsertProvider, provider.Record.Topic.ToArray(), provider.ProviderId.ToArray(), MessageCodec.EncodeProvider(provider.Record),
            provider.Source.ToArray(), provider.StoredAt.UtcTicks, provider.ExpiresAt.UtcTicks);

    public void ProviderRemoved(NodeId topic, NodeId provider) => Run(_deleteProvider, topic.ToArray(), provider.ToArray());

    public void Dispose()
    {
        _upsertValue.Dispose();
        _deleteValue.Dispose();
        _upsertProvider.Dispose();
        _deleteProvider.Dispose();
    }

    private void Run(SqliteCommand command, params object[] values)
    {
        command.Transaction = Transaction ?? throw new InvalidOperationException("A record store change outside a transaction.");
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i];
        }

        command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }
}
