// The official openai package for Node.js, pointed at the gateway: what an app changes is the endpoint URL.
//
//   node client.mjs GATEWAY_URL API_KEY API_VERSION AZURE_DEPLOYMENT V1_MODEL
//
// Calls each route three times (twice as written for gpt-4o, then streaming) and prints one JSON
// object: each call's text and the gateway's x-resilient-client-repairs header.
import OpenAI, { AzureOpenAI } from "openai";

const [gateway, apiKey, apiVersion, deployment, v1Model] = process.argv.slice(2);
const messages = [{ role: "user", content: "Say ok." }];
const gpt4oStyle = { messages, max_tokens: 50, temperature: 0.2 };

async function route(client, model) {
  const calls = [];
  for (let n = 0; n < 2; n += 1) {
    const { data, response } = await client.chat.completions.create({ model, ...gpt4oStyle }).withResponse();
    calls.push({ text: data.choices[0].message.content, repairs: response.headers.get("x-resilient-client-repairs") });
  }
  const stream = await client.chat.completions.create({ model, ...gpt4oStyle, stream: true });
  let text = "";
  let chunks = 0;
  for await (const chunk of stream) {
    chunks += 1;
    text += chunk.choices[0]?.delta?.content ?? "";
  }
  calls.push({ text, chunks });
  return calls;
}

const azure = new AzureOpenAI({ endpoint: gateway, apiKey, apiVersion, deployment, maxRetries: 0 });
const openai = new OpenAI({ baseURL: `${gateway}/openai/v1`, apiKey, maxRetries: 0 });
const result = { azure: await route(azure, deployment), v1: await route(openai, v1Model) };
console.log(JSON.stringify(result));
