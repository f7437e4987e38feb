import sys
root=sys.argv[1]; variant=sys.argv[2]
def ins(path, anchor, text, after=True):
    path=root+'/'+path
    s=open(path).read()
    assert s.count(anchor)==1, (path, anchor)
    i=s.index(anchor)
    j=i+len(anchor) if after else i
    s=s[:j]+text+s[j:]
    open(path,'w').write(s)
D='broadcasting-core/src/main/java/dev/broadcasting/internal/Dispatcher.java'
ins(D,'private void handBack(Outlet outlet, List<Job> jobs, Throwable error, Deadline deadline) {','\n    PhaseMarks.mark(2);')
ins(D,'private void takeAnswers(Outlet outlet) {','\n    PhaseMarks.mark(3);')
if variant=='base':
    ins(D,'''    if (drain) {
      startDrain(outlet);
    }
    int events = 0;''','''    PhaseMarks.mark(4);
''',after=False)
    ins(D,'private void drain(Outlet outlet) {','\n    PhaseMarks.mark(5);')
else:
    ins(D,'''    boolean take = !delivered.isEmpty()''','''    PhaseMarks.mark(4);
''',after=False)
    ins(D,'private void drain(Outlet outlet, int takes) {','\n    PhaseMarks.mark(5);')
ins(D,'private void send(Outlet outlet, List<Job> batch) {','\n    PhaseMarks.mark(6);')
N='broadcasting-pusher/src/main/java/dev/broadcasting/pusher/internal/NettyTransport.java'
ins(N,'public CompletableFuture<Answer> send(String method, String target, byte[] body) {','\n    dev.broadcasting.internal.PhaseMarks.mark(7);')
ins(N,'private void start(Exchange exchange) {','\n    dev.broadcasting.internal.PhaseMarks.mark(8);')
ins(N,'''      if (written.isSuccess()) {''','''
        dev.broadcasting.internal.PhaseMarks.mark(9);''')
ins(N,'protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {','\n      dev.broadcasting.internal.PhaseMarks.mark(0);')
ins(N,'''        exchange.result.complete(answer);''','''        dev.broadcasting.internal.PhaseMarks.mark(1);
''',after=False)
