namespace TcpMsg.Server.Internal;

/// <summary>What the pipeline's queue carries: a batch of messages, or one other event (connect, error, disconnect...).</summary>
internal readonly struct PipelineItem
{
    public PipelineItem(MessageBatch messages)
    {
        Messages = messages;
    }

    public PipelineItem(ServerEvent serverEvent)
    {
        Event = serverEvent;
    }

    public MessageBatch? Messages { get; }

    public ServerEvent? Event { get; }
}
