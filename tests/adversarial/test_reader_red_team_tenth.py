# ruff: noqa: E501
"""Red-team pass ten: bodies written against the round-eleven readings, each with what a correct client learns.

The new readings (a param's other name said loosely, more refusal verbs, conditions and caps, params four levels
deep, "roles must alternate") were tried on bodies built to mislead them: a name said "as" another param's, a
refusal that is about a value or an account, a cap or a role hidden behind a new verb, a protected path inside a
proxy's wrapper. Each case holds what the reader must derive (or nothing); ``also`` lists other right answers, and
``must_block`` cases pass only when the default policy blocks every fix derived.
"""

from __future__ import annotations

from typing import Any

import pytest

from resilient_client._core import blocked_param
from resilient_client._models import RepairPolicy
from resilient_client._reading import read
from tests.corpus import parse_fix

CASES: list[dict[str, Any]] = [
    {
        "name": "said-expressed-as-other-param",
        "status": 400,
        "body": {
            "error": {
                "message": "top_k is not supported by this model; nucleus sampling is expressed as top_p.",
                "type": "invalid_request_error",
                "param": "top_k",
                "code": None,
            }
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "top_k": 40},
        "expected": [{"drop": "top_k"}],
        "why": "top_p is another sampler (0..1); top_k=40 renamed into top_p sends top_p=40.",
    },
    {
        "name": "said-expressed-as-other-scale",
        "status": 400,
        "body": {
            "error": {
                "message": "'frequency_penalty' is not supported: repetition is expressed as repeat_penalty, a multiplier around 1.0.",
                "type": "invalid_request_error",
                "param": "frequency_penalty",
                "code": None,
            }
        },
        "request": {
            "model": "some-model",
            "messages": [{"role": "user", "content": "Hello"}],
            "frequency_penalty": 0.5,
        },
        "expected": [{"drop": "frequency_penalty"}],
        "why": "Different scale: additive 0.5 becomes a 0.5 multiplier, which rewards repetition on every later call.",
    },
    {
        "name": "said-passed-as-model-config",
        "status": 400,
        "body": {
            "error": {
                "message": "The 'stop' parameter is not supported; stop words are passed as stop_word_list in the model config.",
                "type": "invalid_request_error",
                "param": "stop",
                "code": None,
            }
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "stop": ["###"]},
        "expected": [{"drop": "stop"}],
        "why": "stop_word_list is a server-side model config key, not a request field.",
    },
    {
        "name": "said-sent-as-right",
        "status": 400,
        "body": {
            "error": {
                "message": "'stop' is not supported; stop sequences are sent as stop_sequences.",
                "type": "invalid_request_error",
                "param": "stop",
                "code": None,
            }
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "stop": ["\n\n"]},
        "expected": [{"rename": ["stop", "stop_sequences"]}],
        "why": "Should be right: the param's own other name.",
    },
    {
        "name": "said-limits-via-sibling-sampler",
        "status": 400,
        "body": {
            "error": {
                "message": "'top_k' is not supported. This server limits sampling via top_p.",
                "type": "invalid_request_error",
                "param": "top_k",
                "code": None,
            }
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "top_k": 40},
        "expected": [{"drop": "top_k"}],
        "why": "Names another sampler the server uses, not top_k's spelling; top_p=40 is out of range.",
    },
    {
        "name": "said-caps-repetition-via",
        "status": 400,
        "body": {
            "object": "error",
            "message": "presence_penalty is not supported; the model caps repetition via repetition_penalty.",
            "type": "BadRequestError",
            "code": 400,
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "presence_penalty": 0.5},
        "expected": [{"drop": "presence_penalty"}],
        "why": "repetition_penalty is multiplicative (1.0 = off); 0.5 strongly encourages repetition.",
    },
    {
        "name": "said-sets-with-other-knob",
        "status": 400,
        "body": {
            "error": {
                "message": "'presence_penalty' is not supported. The API sets repetition control with frequency_penalty.",
                "type": "invalid_request_error",
                "param": "presence_penalty",
                "code": None,
            }
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "presence_penalty": 1.5},
        "expected": [{"drop": "presence_penalty"}],
        "why": "frequency_penalty is another knob (per-count, not per-presence); 1.5 of it degrades every later answer.",
    },
    {
        "name": "said-sets-with-other-semantics-n",
        "status": 400,
        "body": {
            "error": {
                "message": "'n' is not supported. The API sets the number of candidates with best_of.",
                "type": "invalid_request_error",
                "param": "n",
                "code": None,
            }
        },
        "request": {"model": "gpt-3.5-turbo-instruct", "prompt": "Say hi", "n": 3},
        "expected": [{"drop": "n"}],
        "why": "best_of generates server-side and returns one (n is protected, so the wrong rename is only blocked).",
    },
    {
        "name": "said-states-same-limit-right",
        "status": 400,
        "body": {
            "error": {
                "code": "unknown_parameter",
                "message": "'max_completion_tokens' belongs to Chat Completions; a Responses request states the same limit with 'max_output_tokens'.",
                "param": "max_completion_tokens",
                "type": "invalid_request_error",
            }
        },
        "request": {
            "model": "resp-gpt41-eu",
            "input": [{"role": "user", "content": "Explain recursion."}],
            "max_completion_tokens": 600,
        },
        "expected": [{"rename": ["max_completion_tokens", "max_output_tokens"]}],
        "why": "Should be right (ab-067).",
    },
    {
        "name": "said-route-takes-token-ids",
        "status": 400,
        "body": {
            "object": "error",
            "message": "'stop' is not supported by this model. The route takes stop_token_ids.",
            "type": "BadRequestError",
            "code": 400,
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "stop": ["###"]},
        "expected": [{"drop": "stop"}],
        "why": "Strings renamed into a token-id list: every later call sends stop_token_ids=['###'].",
    },
    {
        "name": "said-move-value-right",
        "status": 400,
        "body": {
            "error": {
                "code": "BadRequest",
                "message": "max_tokens is not supported for this model; move the value to max_completion_tokens.",
                "param": "max_tokens",
                "type": "invalid_request_error",
            }
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "max_tokens": 64},
        "expected": [{"rename": ["max_tokens", "max_completion_tokens"]}],
        "why": "Should be right.",
    },
    {
        "name": "said-move-value-number-into-enum",
        "status": 400,
        "body": {
            "error": {
                "message": "temperature is not supported for o3; move the value to reasoning_effort.",
                "type": "invalid_request_error",
                "param": "temperature",
                "code": None,
            }
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "temperature": 0.2},
        "expected": [{"drop": "temperature"}],
        "why": "Should be right: a number never goes into an enum (_fits).",
    },
    {
        "name": "box-wrong-level",
        "status": 400,
        "body": {
            "error": {
                "code": 400,
                "message": 'Invalid JSON payload received. Unknown name "thinking_budget": it is not supported at the top level and must go inside thinkingConfig.',
                "status": "INVALID_ARGUMENT",
            }
        },
        "request": {
            "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
            "generationConfig": {"temperature": 0.2},
            "thinking_budget": 1024,
        },
        "expected": [],
        "also": [
            [{"drop": "thinking_budget"}],
            [{"rename": ["thinking_budget", "generationConfig.thinkingConfig.thinking_budget"]}],
        ],
        "why": "thinkingConfig lives in generationConfig; a new top-level thinkingConfig object is another unknown field.",
    },
    {
        "name": "box-item-of-list",
        "status": 400,
        "body": {
            "error": {
                "message": "'strict' is not a top-level field; it must go inside 'function' for each tool.",
                "type": "invalid_request_error",
                "param": "strict",
                "code": None,
            }
        },
        "request": {
            "model": "some-model",
            "messages": [{"role": "user", "content": "Hello"}],
            "strict": True,
            "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
        },
        "expected": [],
        "also": [[{"drop": "strict"}]],
        "why": "'function' is inside each tools[] item; a top-level 'function' object is invented (and 'function' is a legacy param).",
    },
    {
        "name": "box-absent-system",
        "status": 400,
        "body": {
            "type": "error",
            "error": {
                "type": "invalid_request_error",
                "message": "top-level cache_control is not permitted; it must go inside 'system' or a message content block.",
            },
        },
        "request": {
            "model": "claude-sonnet-4-5",
            "max_tokens": 100,
            "messages": [{"role": "user", "content": "Hello"}],
            "cache_control": {"type": "ephemeral"},
        },
        "expected": [],
        "also": [[{"drop": "cache_control"}]],
        "why": "Creates system={'cache_control':…}: system must be a string or a list of blocks.",
    },
    {
        "name": "box-dashboard-setting",
        "status": 400,
        "body": {
            "error": {
                "message": "'service_tier' cannot be set per request and is not supported here; it belongs under `project_settings` in the dashboard.",
                "type": "invalid_request_error",
                "param": "service_tier",
                "code": None,
            }
        },
        "request": {
            "model": "some-model",
            "messages": [{"role": "user", "content": "Hello"}],
            "service_tier": "priority",
        },
        "expected": [{"drop": "service_tier"}],
        "also": [[]],
        "why": "An account/dashboard setting, not a request object.",
    },
    {
        "name": "box-headers",
        "status": 400,
        "body": {
            "error": {
                "message": "'api_key' is not a valid body field; credentials go under 'headers'.",
                "type": "invalid_request_error",
            }
        },
        "request": {
            "model": "some-model",
            "messages": [{"role": "user", "content": "Hello"}],
            "api_key": "sk-test-123",
        },
        "expected": [{"drop": "api_key"}],
        "also": [[]],
        "why": "HTTP headers are not a JSON object of the body; learning headers.api_key also keeps sending the key in the body.",
    },
    {
        "name": "box-shape-differs",
        "status": 400,
        "body": {
            "error": {
                "code": 400,
                "message": "'tool_choice' is not supported; tool selection must be sent inside 'tool_config'.",
                "status": "INVALID_ARGUMENT",
            }
        },
        "request": {
            "model": "some-model",
            "messages": [{"role": "user", "content": "Hello"}],
            "tools": [{"type": "function", "function": {"name": "f"}}],
            "tool_choice": "auto",
        },
        "expected": [],
        "also": [[{"drop": "tool_choice"}]],
        "why": "Gemini's tool_config takes function_calling_config, not tool_choice; also sidesteps tool_choice's protection (the new name is not protected).",
    },
    {
        "name": "box-other-endpoint",
        "status": 400,
        "body": {
            "object": "error",
            "message": "'top_k' is not supported on this OpenAI-compatible route; sampling options live under 'sampling_params' on the native /generate endpoint.",
            "type": "BadRequestError",
            "code": 400,
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "top_k": 20},
        "expected": [{"drop": "top_k"}],
        "why": "The box belongs to another endpoint; this route refuses sampling_params too.",
    },
    {
        "name": "box-native-api-not-exposed",
        "status": 400,
        "body": {
            "error": {
                "message": "'temperature' is not supported here: sampling settings belong within the 'generationConfig' of the native Gemini API, which this proxy does not expose.",
                "type": "invalid_request_error",
                "param": "temperature",
                "code": None,
            }
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "temperature": 0.3},
        "expected": [{"drop": "temperature"}],
        "why": "The body says the box is not available here.",
    },
    {
        "name": "u-reads-from-file",
        "status": 400,
        "body": {
            "object": "error",
            "message": "'stop' is not supported by this model; the runtime reads stop strings from generation_config.json.",
            "type": "BadRequestError",
            "code": 400,
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "stop": ["###"]},
        "expected": [{"drop": "stop"}],
        "why": "A file name read as a dotted param: learns stop -> generation_config.json (object generation_config, key json).",
    },
    {
        "name": "u-reads-config-file",
        "status": 400,
        "body": {
            "error": {
                "message": "'top_k' is not supported; the proxy reads its sampling config from config.yaml.",
                "type": "invalid_request_error",
            }
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "top_k": 20},
        "expected": [{"drop": "top_k"}],
        "why": "config.yaml is a file.",
    },
    {
        "name": "u-wants-in-other-type",
        "status": 400,
        "body": {
            "error": {
                "message": "'logprobs' is not supported: this API wants its logprobs in top_logprobs.",
                "type": "invalid_request_error",
                "param": "logprobs",
                "code": None,
            }
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "logprobs": True},
        "expected": [{"drop": "logprobs"}],
        "also": [[]],
        "why": "A boolean renamed into a count: top_logprobs=true is refused again.",
    },
    {
        "name": "u-reads-output-cap-right",
        "status": 400,
        "body": {
            "error": {
                "message": "This model reads its output cap from 'max_completion_tokens'; the value you put in 'max_tokens' was not applied and the request was refused.",
                "type": "invalid_request_error",
                "param": "max_tokens",
                "code": "unsupported_parameter",
            }
        },
        "request": {"model": "o3", "messages": [{"role": "user", "content": "Hello"}], "max_tokens": 1200},
        "expected": [{"rename": ["max_tokens", "max_completion_tokens"]}],
        "why": "Should be right (ab-037).",
    },
    {
        "name": "supply-version-not-param",
        "status": 400,
        "body": {
            "error": {
                "code": "BadRequest",
                "message": "'seed' is deprecated for this model and ignored; supply api_version=2024-10-21 or later to use it.",
            }
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "seed": 1},
        "expected": [{"drop": "seed"}],
        "also": [[]],
        "why": "api_version is a query parameter naming an API version; learns seed -> api_version=1.",
    },
    {
        "name": "supply-other-sampler",
        "status": 400,
        "body": {
            "error": {
                "message": "'top_k' is deprecated on this endpoint; supply top_p instead.",
                "type": "invalid_request_error",
                "param": "top_k",
                "code": None,
            }
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "top_k": 40},
        "expected": [{"drop": "top_k"}],
        "also": [[]],
        "why": "Another sampler suggested, not top_k's new name: every later call sends top_p=40.",
    },
    {
        "name": "supply-bool-into-count",
        "status": 400,
        "body": {
            "error": {
                "message": "The 'logprobs' flag is deprecated on this gateway; supply top_logprobs (0-20) instead.",
                "type": "invalid_request_error",
                "param": "logprobs",
                "code": None,
            }
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "logprobs": True},
        "expected": [],
        "also": [[{"drop": "logprobs"}]],
        "why": "true into a 0-20 count: top_logprobs=true is refused.",
    },
    {
        "name": "supply-right",
        "status": 400,
        "body": {
            "timestamp": "2025-07-14T09:02:11.004+00:00",
            "status": 400,
            "error": "Bad Request",
            "errors": [
                {
                    "field": "max_tokens",
                    "rejectedValue": 900,
                    "defaultMessage": "deprecated for reasoning models; supply max_completion_tokens",
                    "code": "Deprecated",
                    "objectName": "chatRequest",
                }
            ],
            "path": "/v1/chat/completions",
        },
        "request": {"model": "o4-mini", "messages": [{"role": "user", "content": "Hello"}], "max_tokens": 900},
        "expected": [{"rename": ["max_tokens", "max_completion_tokens"]}],
        "why": "Should be right (ab-155).",
    },
    {
        "name": "ko-send-to-batch",
        "status": 400,
        "body": {
            "error": {
                "message": "'logprobs'는 지원되지 않습니다. 토큰 확률이 필요하면 요청을 'batch'로 보내 주세요.",
                "type": "invalid_request_error",
            }
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "logprobs": True},
        "expected": [{"drop": "logprobs"}],
        "also": [[]],
        "why": "'send the request as a batch' (via the batch API) names a way of sending, not logprobs' name: learns logprobs -> batch.",
    },
    {
        "name": "ko-right",
        "status": 400,
        "body": {
            "error": {
                "message": "'max_tokens'는 지원되지 않습니다. 'max_completion_tokens'으로 전달해 주세요.",
                "type": "invalid_request_error",
            }
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "max_tokens": 100},
        "expected": [{"rename": ["max_tokens", "max_completion_tokens"]}],
        "why": "Should be right.",
    },
    {
        "name": "dotted-three-level-right",
        "status": 400,
        "body": {
            "error": {
                "code": 400,
                "message": "Unknown field 'thinking_budget'; use generationConfig.thinkingConfig.thinkingBudget instead.",
                "status": "INVALID_ARGUMENT",
            }
        },
        "request": {
            "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
            "generationConfig": {"temperature": 0.2},
            "thinking_budget": 512,
        },
        "expected": [{"rename": ["thinking_budget", "generationConfig.thinkingConfig.thinkingBudget"]}],
        "why": "Should be right.",
    },
    {
        "name": "four-level-clamp-right",
        "status": 400,
        "body": {
            "error": {
                "code": 400,
                "message": "thinking_budget is out of range; supported values are integers from 1 to 24576.",
                "status": "INVALID_ARGUMENT",
            }
        },
        "request": {
            "model": "gemini-2.5-flash",
            "request": {
                "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
                "generationConfig": {"thinkingConfig": {"thinkingBudget": 32768, "includeThoughts": True}},
            },
        },
        "expected": [{"clamp": ["request.generationConfig.thinkingConfig.thinkingBudget", 1, 24576]}],
        "why": "Should be right (r20a-026).",
    },
    {
        "name": "four-level-protection-bypass-schema",
        "status": 400,
        "body": {
            "error": {
                "code": 400,
                "message": "Invalid JSON payload received. Unknown name \"additionalProperties\" at 'request.generation_config.response_schema': Cannot find field.",
                "status": "INVALID_ARGUMENT",
            }
        },
        "request": {
            "model": "gemini-2.5-flash",
            "request": {
                "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
                "generationConfig": {
                    "responseMimeType": "application/json",
                    "responseSchema": {
                        "type": "OBJECT",
                        "additionalProperties": False,
                        "properties": {"a": {"type": "STRING"}},
                    },
                },
            },
        },
        "expected": [{"drop": "request.generationConfig.responseSchema.additionalProperties"}],
        "must_block": True,
        "why": "The same body unwrapped is blocked (generationConfig.responseSchema is protected); under 'request.' the four-level drop edits the structured-output schema unblocked.",
    },
    {
        "name": "four-level-protection-bypass-toolconfig",
        "status": 400,
        "body": {
            "error": {
                "code": 400,
                "message": "Invalid JSON payload received. Unknown name \"allowedFunctionNames\" at 'request.tool_config.function_calling_config': Cannot find field.",
                "status": "INVALID_ARGUMENT",
            }
        },
        "request": {
            "model": "gemini-2.5-flash",
            "request": {
                "contents": [{"role": "user", "parts": [{"text": "Hi"}]}],
                "tools": [{"functionDeclarations": [{"name": "f"}, {"name": "g"}]}],
                "toolConfig": {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": ["f"]}},
            },
        },
        "expected": [{"drop": "request.toolConfig.functionCallingConfig.allowedFunctionNames"}],
        "must_block": True,
        "why": "toolConfig is protected; wrapped, the drop lets mode ANY call any function, unblocked.",
    },
    {
        "name": "verb-belongs-to-api-predecessor",
        "status": 400,
        "body": {
            "error": {
                "message": "'max_completion_tokens' belongs to Chat Completions; the Responses API uses max_output_tokens.",
                "type": "invalid_request_error",
                "param": "max_completion_tokens",
                "code": None,
            }
        },
        "request": {"model": "gpt-4.1", "input": "Hi", "max_completion_tokens": 600},
        "expected": [{"rename": ["max_completion_tokens", "max_output_tokens"]}],
        "also": [[]],
        "why": "Refusal now read, but the 'uses X' name is not, so the predecessor rule renames to max_tokens, which Responses refuses too.",
    },
    {
        "name": "verb-belongs-to-value",
        "status": 400,
        "body": {
            "error": {
                "message": "Voice 'verse' belongs to the Realtime API; tts-1 supports alloy, echo, fable, onyx, nova and shimmer.",
                "type": "invalid_request_error",
                "param": "voice",
                "code": None,
            }
        },
        "request": {"model": "tts-1", "input": "Hello there", "voice": "verse"},
        "expected": [],
        "why": "A value is refused; voice is required on /audio/speech, so a learned drop breaks every later call.",
    },
    {
        "name": "verb-belongs-to-conditional",
        "status": 400,
        "body": {
            "error": {
                "message": "The 'metadata' field belongs to the Stored Completions API and is only accepted when store is true.",
                "type": "invalid_request_error",
                "param": "metadata",
                "code": None,
            }
        },
        "request": {
            "model": "some-model",
            "messages": [{"role": "user", "content": "Hello"}],
            "metadata": {"team": "search"},
        },
        "expected": [{"drop": "metadata", "unless": "store"}],
        "also": [[]],
        "why": "Accepted when store is true: an unconditional drop strips metadata from stored calls too.",
    },
    {
        "name": "verb-not-implemented-streaming",
        "status": 422,
        "body": {
            "error": "Input validation error: logprobs is not implemented for streaming requests",
            "error_type": "validation",
        },
        "request": {
            "model": "some-model",
            "messages": [{"role": "user", "content": "Hello"}],
            "logprobs": True,
            "stream": True,
        },
        "expected": [{"drop": "logprobs", "when": "stream"}],
        "also": [[]],
        "why": "Only while streaming: an unconditional drop removes logprobs from non-streaming calls.",
    },
    {
        "name": "verb-not-implemented-stream-eq",
        "status": 400,
        "body": {
            "object": "error",
            "message": "Returning logprobs is not implemented when stream=true.",
            "type": "BadRequestError",
            "code": 400,
        },
        "request": {
            "model": "some-model",
            "messages": [{"role": "user", "content": "Hello"}],
            "logprobs": True,
            "stream": True,
        },
        "expected": [{"drop": "logprobs", "when": "stream"}],
        "also": [[]],
        "why": "Same; the condition is written stream=true.",
    },
    {
        "name": "verb-not-configured-account",
        "status": 400,
        "body": {
            "error": {
                "message": "Your organization is not configured to accept service_tier 'priority'. Contact sales to enable Priority processing.",
                "type": "invalid_request_error",
                "param": "service_tier",
                "code": None,
            }
        },
        "request": {
            "model": "some-model",
            "messages": [{"role": "user", "content": "Hello"}],
            "service_tier": "priority",
        },
        "expected": [],
        "why": "An account entitlement: a learned drop keeps downgrading the tier after sales enables it.",
    },
    {
        "name": "verb-rejects-right",
        "status": 400,
        "body": {
            "object": "error",
            "message": "The model magistral-small-2509 rejects 'presence_penalty'; penalties are not exposed for reasoning models.",
            "type": "invalid_request_error",
            "param": "presence_penalty",
            "code": "3051",
        },
        "request": {
            "model": "magistral-small-2509",
            "messages": [{"role": "user", "content": "Hello"}],
            "presence_penalty": 0.4,
        },
        "expected": [{"drop": "presence_penalty"}],
        "why": "Should be right (ab-132).",
    },
    {
        "name": "verb-does-not-know-right",
        "status": 400,
        "body": {
            "object": "error",
            "message": "The server does not know what to do with 'web_search_options'.",
            "type": "BadRequestError",
            "param": "web_search_options",
            "code": 400,
        },
        "request": {
            "model": "Qwen/Qwen3-32B",
            "messages": [{"role": "user", "content": "Hello"}],
            "web_search_options": {"search_context_size": "low"},
        },
        "expected": [{"drop": "web_search_options"}],
        "why": "Should be right (ab-128).",
    },
    {
        "name": "verb-nexiste-pas-right",
        "status": 400,
        "body": {"message": "Le paramètre 'top_k' n'existe pas.", "type": "invalid_request_error"},
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "top_k": 5},
        "expected": [{"drop": "top_k"}],
        "why": "Should be right.",
    },
    {
        "name": "verb-ko-not-recognised-right",
        "status": 400,
        "body": {"error": {"message": "인식되지 않은 매개변수: 'top_k'", "type": "invalid_request_error"}},
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "top_k": 4},
        "expected": [{"drop": "top_k"}],
        "why": "Should be right.",
    },
    {
        "name": "verb-ko-api-key-lookalike",
        "status": 400,
        "body": {"error": {"message": "API 키가 인식되지 않습니다.", "type": "invalid_request_error"}},
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "temperature": 0.2},
        "expected": [],
        "why": "Should be right: auth, no param.",
    },
    {
        "name": "roles-alternate-right",
        "status": 400,
        "body": {
            "object": "error",
            "message": "Conversation roles must alternate user/assistant/user/assistant/...",
            "type": "BadRequestError",
            "code": 400,
        },
        "request": {
            "model": "mistralai/Mistral-7B-Instruct-v0.1",
            "messages": [
                {"role": "system", "content": "Answer in one sentence."},
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello!"},
                {"role": "user", "content": "Hi"},
            ],
        },
        "expected": [{"role": ["system", "user"]}],
        "why": "Should be right.",
    },
    {
        "name": "roles-two-users-right",
        "status": 400,
        "body": {
            "object": "error",
            "message": "Conversation roles must alternate user/assistant/user/assistant/...",
            "type": "BadRequestError",
            "code": 400,
        },
        "request": {
            "model": "mistralai/Mistral-7B-Instruct-v0.1",
            "messages": [
                {"role": "system", "content": "Answer in one sentence."},
                {"role": "user", "content": "Hi"},
                {"role": "user", "content": "Hi"},
            ],
        },
        "expected": [],
        "why": "Should be right (r22a-044).",
    },
    {
        "name": "roles-assistant-first",
        "status": 400,
        "body": {
            "object": "error",
            "message": "Conversation roles must alternate user/assistant/user/assistant/...",
            "type": "BadRequestError",
            "code": 400,
        },
        "request": {
            "model": "mistralai/Mistral-7B-Instruct-v0.1",
            "messages": [
                {"role": "system", "content": "Answer in one sentence."},
                {"role": "assistant", "content": "Hello!"},
                {"role": "user", "content": "Hi"},
            ],
        },
        "expected": [],
        "why": "Folded, the conversation still opens with assistant: the template refuses it again; the conversation is at fault.",
    },
    {
        "name": "roles-tool-turns",
        "status": 400,
        "body": {
            "object": "error",
            "message": "Conversation roles must alternate user/assistant/user/assistant/...",
            "type": "BadRequestError",
            "code": 400,
        },
        "request": {
            "model": "mistralai/Mistral-7B-Instruct-v0.1",
            "messages": [
                {"role": "system", "content": "Answer in one sentence."},
                {"role": "user", "content": "Hi"},
                {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
                },
                {"role": "tool", "tool_call_id": "c1", "content": "42"},
                {"role": "user", "content": "Hi"},
            ],
        },
        "expected": [],
        "why": "tool turns break user/assistant alternation whatever the system prompt does; _alternates counts 'tool' as a turn that alternates.",
    },
    {
        "name": "roles-optional-system-allowed",
        "status": 400,
        "body": {
            "object": "error",
            "message": "After the optional system message, conversation roles must alternate user/assistant/user/assistant/...",
            "type": "BadRequestError",
            "code": 400,
        },
        "request": {
            "model": "meta-llama/Llama-2-7b-chat-hf",
            "messages": [
                {"role": "system", "content": "Answer in one sentence."},
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello!"},
                {"role": "system", "content": "Now be formal."},
                {"role": "user", "content": "Hi"},
            ],
        },
        "expected": [],
        "why": "The template accepts a leading system message; only the mid-conversation one is wrong. Learning system->user folds every later call's system prompt.",
    },
]

# Two bounds of the rule that a sent param and its kin to use make a rename without a refusing word.
CASES += [
    {
        "name": "kin-to-use-without-a-verdict",
        "status": 400,
        "body": {
            "error": {
                "message": "max_output_tokens comes from the v1 API; on this route send max_completion_tokens.",
                "type": "invalid_request_error",
            }
        },
        "request": {
            "model": "some-model",
            "messages": [{"role": "user", "content": "Hello"}],
            "max_output_tokens": 300,
        },
        "expected": [{"rename": ["max_output_tokens", "max_completion_tokens"]}],
        "why": "the sent name and its kin to use: a rename",
    },
    {
        "name": "kin-to-use-beside-a-bound",
        "status": 400,
        "body": {
            "error": {
                "message": "max_tokens is too large: 100000. This model supports at most 4096 completion tokens; use max_completion_tokens for reasoning models.",
                "type": "invalid_request_error",
            }
        },
        "request": {"model": "some-model", "messages": [{"role": "user", "content": "Hello"}], "max_tokens": 100000},
        "expected": [{"clamp": ["max_tokens", None, 4096]}],
        "why": "the error is about the bound; the name to use is a tip for other models",
    },
]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_red_team_case(case: dict[str, Any]) -> None:
    """The reader derives one of the case's right answers, and nothing the policy allows where it must block."""
    got = read(case["status"], case["body"], case["request"]).fixes
    options = [{parse_fix(x).fix for x in option} for option in [case["expected"], *case.get("also", [])]]
    assert set(got) in options, case["why"]
    assert len(got) == len(set(got))
    if case.get("must_block"):
        assert all(blocked_param(f, RepairPolicy()) is not None for f in got)
