-- wfkit for Neovim: starts the wfkit language server (`wf lsp`) for YAML and JSON files and
-- attaches it to their buffers. Works with Neovim 0.7 and newer (it uses
-- `vim.lsp.start_client` and `vim.lsp.buf_attach_client`, which every version has).
--
--   require("wfkit").setup()                          -- `wf lsp` from PATH
--   require("wfkit").setup({ cmd = { "/path/to/wf", "lsp" }, on_attach = my_on_attach })

local M = {}

local defaults = {
  -- The command that runs the server.
  cmd = { "wf", "lsp" },
  -- The file types whose buffers get the server. Buffers that are not workflows get no
  -- diagnostics, so every YAML and JSON buffer can have it.
  filetypes = { "yaml", "json" },
  -- Files or folders that mark the root of a project (one server per root).
  root_markers = { ".git" },
  -- Called with (client, bufnr) when the server attaches to a buffer.
  on_attach = nil,
  -- Passed to the server as its client capabilities (nil: Neovim's defaults).
  capabilities = nil,
}

M.config = vim.deepcopy(defaults)

-- Server client ids by root folder.
local clients = {}

-- The folder above `path` that holds one of the root markers, else the file's own folder.
local function root_of(path)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  for _, marker in ipairs(M.config.root_markers) do
    local found = vim.fn.finddir(marker, dir .. ";")
    if found == "" then
      found = vim.fn.findfile(marker, dir .. ";")
    end
    if found ~= "" then
      return vim.fn.fnamemodify(found, ":p:h:h")
    end
  end
  return dir
end

local function start(root)
  local id = vim.lsp.start_client({
    name = "wfkit",
    cmd = M.config.cmd,
    root_dir = root,
    workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
    capabilities = M.config.capabilities,
    on_attach = M.config.on_attach,
    on_exit = function()
      clients[root] = nil
    end,
  })
  if id == nil then
    vim.notify("wfkit: could not start `" .. table.concat(M.config.cmd, " ") .. "`", vim.log.levels.ERROR)
  end
  return id
end

--- Attaches the server to buffer `bufnr`, starting it for the buffer's project if needed.
function M.attach(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == "" or vim.bo[bufnr].buftype ~= "" then
    return
  end
  local root = root_of(name)
  local id = clients[root]
  if id == nil or vim.lsp.get_client_by_id(id) == nil then
    id = start(root)
    if id == nil then
      return
    end
    clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
end

--- Sets the options (see `defaults`) and attaches the server to matching buffers from now on.
function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  local group = vim.api.nvim_create_augroup("wfkit", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
end

return M
