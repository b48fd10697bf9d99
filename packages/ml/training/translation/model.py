"""A small pre-norm Transformer for caption translation (one multilingual model, en -> de/fr/cs,
target language chosen by a <2xx> token at the start of the source), plus the two graphs the
Node runtime runs: encode(src) -> memory and decode(prefix, memory, src) -> log-probs of the
next token. Attention is written with plain matmuls so the ONNX export is simple."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from bpe import PAD


class Attention(nn.Module):
    def __init__(self, d, heads, dropout):
        super().__init__()
        self.h, self.dk = heads, d // heads
        self.q = nn.Linear(d, d)
        self.kv = nn.Linear(d, 2 * d)
        self.o = nn.Linear(d, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mem, bias):
        b, tq, d = x.shape
        tk = mem.shape[1]
        q = self.q(x).view(b, tq, self.h, self.dk).transpose(1, 2)
        k, v = self.kv(mem).view(b, tk, 2, self.h, self.dk).permute(2, 0, 3, 1, 4)
        att = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.dk) + bias
        att = self.drop(torch.softmax(att, dim=-1))
        y = torch.matmul(att, v).transpose(1, 2).reshape(b, tq, d)
        return self.o(y)


class FeedForward(nn.Module):
    def __init__(self, d, ff, dropout):
        super().__init__()
        self.a, self.b, self.drop = nn.Linear(d, ff), nn.Linear(ff, d), nn.Dropout(dropout)

    def forward(self, x):
        return self.b(self.drop(F.relu(self.a(x))))


class EncoderLayer(nn.Module):
    def __init__(self, d, heads, ff, dropout):
        super().__init__()
        self.n1, self.att, self.n2, self.ff = nn.LayerNorm(d), Attention(d, heads, dropout), nn.LayerNorm(d), FeedForward(d, ff, dropout)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, bias):
        h = self.n1(x)
        x = x + self.drop(self.att(h, h, bias))
        return x + self.drop(self.ff(self.n2(x)))


class DecoderLayer(nn.Module):
    def __init__(self, d, heads, ff, dropout):
        super().__init__()
        self.n1, self.self_att = nn.LayerNorm(d), Attention(d, heads, dropout)
        self.n2, self.cross = nn.LayerNorm(d), Attention(d, heads, dropout)
        self.n3, self.ff = nn.LayerNorm(d), FeedForward(d, ff, dropout)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mem, self_bias, mem_bias):
        h = self.n1(x)
        x = x + self.drop(self.self_att(h, h, self_bias))
        x = x + self.drop(self.cross(self.n2(x), mem, mem_bias))
        return x + self.drop(self.ff(self.n3(x)))


def sinusoid(n, d):
    pos = torch.arange(n, dtype=torch.float32)[:, None]
    i = torch.arange(0, d, 2, dtype=torch.float32)
    ang = pos / torch.pow(10000.0, i / d)
    pe = torch.zeros(n, d)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(ang), torch.cos(ang)
    return pe


class Translator(nn.Module):
    def __init__(self, vocab_size, d=256, heads=4, ff=1024, enc_layers=3, dec_layers=3, dropout=0.1, max_len=256):
        super().__init__()
        self.config = dict(vocab_size=vocab_size, d=d, heads=heads, ff=ff, enc_layers=enc_layers,
                           dec_layers=dec_layers, dropout=dropout, max_len=max_len)
        self.d = d
        self.emb = nn.Embedding(vocab_size, d, padding_idx=PAD)
        nn.init.normal_(self.emb.weight, 0, d ** -0.5)
        self.register_buffer("pe", sinusoid(max_len, d), persistent=False)
        self.enc = nn.ModuleList([EncoderLayer(d, heads, ff, dropout) for _ in range(enc_layers)])
        self.dec = nn.ModuleList([DecoderLayer(d, heads, ff, dropout) for _ in range(dec_layers)])
        self.enc_norm, self.dec_norm = nn.LayerNorm(d), nn.LayerNorm(d)
        self.drop = nn.Dropout(dropout)

    def embed(self, ids):
        return self.drop(self.emb(ids) * math.sqrt(self.d) + self.pe[: ids.shape[1]])

    @staticmethod
    def pad_bias(ids):
        # [B,1,1,S]: 0 where a token, -1e9 where padding
        return (ids == PAD).to(torch.float32)[:, None, None, :] * -1e9

    def encode(self, src):
        x, bias = self.embed(src), self.pad_bias(src)
        for layer in self.enc:
            x = layer(x, bias)
        return self.enc_norm(x)

    def decode(self, tgt, mem, src):
        t = tgt.shape[1]
        causal = torch.triu(torch.full((t, t), -1e9, device=tgt.device), diagonal=1)[None, None]
        x, mem_bias = self.embed(tgt), self.pad_bias(src)
        for layer in self.dec:
            x = layer(x, mem, causal, mem_bias)
        return torch.matmul(self.dec_norm(x), self.emb.weight.t())  # tied output projection

    def forward(self, src, tgt):
        return self.decode(tgt, self.encode(src), src)


class ExportEncoder(nn.Module):
    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, src):
        return self.m.encode(src)


class ExportDecoder(nn.Module):
    """prefix [B,T] (starting with <s>), memory [B,S,D], src [B,S] -> log-probs of token T+1 [B,V]."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, prefix, memory, src):
        logits = self.m.decode(prefix, memory, src)[:, -1, :]
        return torch.log_softmax(logits, dim=-1)
