package dev.broadcasting.benchmarks;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Raw OkHttp as a peer: one asynchronous call per event, a request prepared once.
 *
 * <pre>{@code CompletableFuture<Void> sent = RawPost.send(client, prepared);}</pre>
 */
final class RawPost {
  private RawPost() {}

  /** Posts the prepared request; the future completes when the whole answer is read, as the drivers' do. */
  static CompletableFuture<Void> send(OkHttpClient client, Request prepared) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    client.newCall(prepared).enqueue(new Callback() {
      @Override
      public void onFailure(Call call, IOException e) {
        done.completeExceptionally(e);
      }

      @Override
      public void onResponse(Call call, Response response) {
        try (response) {
          response.body().string();
          if (response.isSuccessful()) {
            done.complete(null);
          } else {
            done.completeExceptionally(new IOException("HTTP " + response.code()));
          }
        } catch (IOException e) {
          done.completeExceptionally(e);
        }
      }
    });
    return done;
  }
}
