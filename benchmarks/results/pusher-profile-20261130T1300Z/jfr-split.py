import sys, re, collections, subprocess
# usage: split.py file.jfr  -> CPU samples split by thread group and by category (first matching frame from top)
f=sys.argv[1]
out=subprocess.run(['jfr','print','--stack-depth','48','--events','jdk.ExecutionSample',f],capture_output=True,text=True).stdout
samples=[]; cur=None
for line in out.splitlines():
    m=re.search(r'sampledThread = "([^"]*)"',line)
    if m: cur={'thread':m.group(1),'frames':[]}; samples.append(cur); continue
    if cur is not None and re.match(r'^\s+[\w$.<>]+\(',line) or (cur is not None and re.match(r'^\s+[a-zA-Z_$][\w$.]*\.[\w$<>]+\(',line)):
        fr=line.strip(); fr=re.sub(r'\(.*','',fr); cur['frames'].append(fr)
def tgroup(t):
    for k,v in [('broadcasting-pusher-http','okhttp-threads'),('OkHttp','okhttp-threads'),('main','producer(main)'),('broadcasting-dispatch','dispatcher'),('broadcasting','broadcasting-other'),('nioEventLoop','sink(netty)'),('multiThreadIoEventLoop','sink(netty)'),('C2','jit'),('C1','jit'),('GC','gc'),('JFR','jfr')]:
        if k in t: return v
    return 'other:'+re.sub(r'\d+','#',t)
cats=[('dev.broadcasting.pusher.protocol','pusher-protocol(sign/names)'),('dev.broadcasting.pusher','pusher-driver'),('okhttp3','okhttp'),('okio','okhttp'),('com.fasterxml.jackson','jackson'),('io.netty','netty(sink)'),('dev.broadcasting.benchmarks','harness'),('dev.broadcasting','core'),]
def cat(frames):
    # category = first frame (from top) that belongs to a known library/project package; else jdk
    for fr in frames:
        for k,v in cats:
            if fr.startswith(k): return v
    return 'jdk-only'
n=len(samples)
print(f"{n} samples")
bt=collections.Counter(tgroup(s['thread']) for s in samples)
print("by thread:"); [print(f"  {100*c/n:5.1f}% {k}") for k,c in bt.most_common()]
bc=collections.Counter(cat(s['frames']) for s in samples)
print("by first owning frame (self, attributed to nearest project/library frame):"); [print(f"  {100*c/n:5.1f}% {k}") for k,c in bc.most_common()]
print("thread x category:")
tc=collections.Counter((tgroup(s['thread']),cat(s['frames'])) for s in samples)
for (t,c),k in tc.most_common(25): print(f"  {100*k/n:5.1f}% {t:22s} {c}")
# anywhere-on-stack shares for selected markers
marks=['okhttp3','dev.broadcasting.pusher.internal.EventSender','dev.broadcasting.pusher.internal.EventBodies','dev.broadcasting.pusher.protocol.PusherSigner','dev.broadcasting.pusher.protocol.PusherChannelNames','dev.broadcasting.pusher.internal.PusherHttp','dev.broadcasting.internal.Signatures','java.util.regex','com.fasterxml.jackson','java.util.concurrent.locks.LockSupport','sun.nio.ch','io.netty']
print("anywhere on stack:")
for m in marks:
    c=sum(1 for s in samples if any(fr.startswith(m) for fr in s['frames']))
    print(f"  {100*c/n:5.1f}% {m}")
