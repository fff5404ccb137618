-- Headless check of editors/nvim: set up wfkit, open a workflow with a mistake, wait for
-- the server's diagnostic, ask for a hover, and write what came back to $WFKIT_RESULT.
-- Run by test/run.sh.

local server = assert(os.getenv("WFKIT_SERVER"), "WFKIT_SERVER is the server command")
local file = assert(os.getenv("WFKIT_FILE"), "WFKIT_FILE is the workflow to open")
local result = assert(os.getenv("WFKIT_RESULT"), "WFKIT_RESULT is where to write")

local out = assert(io.open(result, "w"))
local function finish(ok)
  out:close()
  vim.cmd(ok and "qall!" or "cquit! 1")
end

vim.cmd("filetype on")
require("wfkit").setup({ cmd = vim.split(server, " ", { trimempty = true }) })
vim.cmd("edit " .. vim.fn.fnameescape(file))
local buf = vim.api.nvim_get_current_buf()

local attached = vim.wait(10000, function()
  return next(vim.lsp.buf_get_clients(buf)) ~= nil
end, 20)
out:write("attached: " .. tostring(attached) .. "\n")

local got = vim.wait(15000, function()
  return #vim.diagnostic.get(buf) > 0
end, 20)
if not got then
  out:write("no diagnostic\n")
  return finish(false)
end
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or "?"
  local message = vim.split(d.message, "\n")[1]
  out:write(string.format("diagnostic %d:%d %s %s\n", d.lnum + 1, d.col + 1, code, message))
end

-- Hover over the variable of the last line.
local last = vim.api.nvim_buf_line_count(buf) - 1
local text = vim.api.nvim_buf_get_lines(buf, last, last + 1, false)[1]
local col = assert(text:find("greeting", 1, true)) - 1
local params = { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = last, character = col } }
local responses = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, 10000) or {}
for _, r in pairs(responses) do
  if r.result and r.result.contents then
    out:write("hover: " .. vim.split(r.result.contents.value, "\n")[2] .. "\n")
  end
end
finish(true)
