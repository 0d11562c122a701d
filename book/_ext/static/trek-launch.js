// Backend Trek: JupyterHub launch links (nbgitpuller), made in the reader's browser.
//
// The course has no JupyterHub of its own, so a notebook page's "JupyterHub" launch entry
// opens the setup page's link maker with the notebook filled in (?repo=&branch=&urlpath=).
// The hub address a reader types there is kept in this browser's localStorage, and from then
// on every page's "JupyterHub" entry goes straight to HUB/hub/user-redirect/git-pull?...
// Nothing here talks to the network.
(function () {
  "use strict";
  const KEY = "trek-jupyterhub-url";

  function hubBase(text) {
    let hub = (text || "").trim().replace(/\/+$/, "").replace(/\/hub$/, "");
    if (hub && !/^https?:\/\//i.test(hub)) hub = "https://" + hub;
    return hub;
  }

  function pullLink(hub, repo, branch, urlpath) {
    const query = new URLSearchParams({ repo: repo, urlpath: urlpath, branch: branch });
    return hubBase(hub) + "/hub/user-redirect/git-pull?" + query.toString();
  }

  function savedHub() {
    try {
      return localStorage.getItem(KEY) || "";
    } catch (error) {
      return ""; // storage disabled: the entry keeps pointing at the link maker
    }
  }

  function updateLaunchButtons() {
    const hub = savedHub();
    if (!hub) return;
    document.querySelectorAll("a.btn-launch-jupyterhub").forEach(function (link) {
      const params = new URL(link.href, window.location.href).searchParams;
      if (!params.get("repo") || !params.get("urlpath")) return;
      link.href = pullLink(hub, params.get("repo"), params.get("branch") || "main",
                           params.get("urlpath"));
      link.title = "Launch on " + hubBase(hub) + " (nbgitpuller)";
    });
  }

  function setUpLinkMaker() {
    const form = document.getElementById("trek-hub-form");
    if (!form) return;
    const params = new URLSearchParams(window.location.search);
    const hubInput = document.getElementById("trek-hub-url");
    const pathInput = document.getElementById("trek-hub-urlpath");
    const output = document.getElementById("trek-hub-link");
    const repo = params.get("repo") || form.dataset.repo;
    const branch = params.get("branch") || form.dataset.branch;
    if (params.get("urlpath")) pathInput.value = params.get("urlpath");
    hubInput.value = savedHub();
    function render() {
      const hub = hubBase(hubInput.value);
      if (!hub) {
        output.hidden = true;
        return;
      }
      const link = pullLink(hub, repo, branch, pathInput.value.trim());
      output.hidden = false;
      output.querySelector("a").href = link;
      output.querySelector("code").textContent = link;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      try {
        localStorage.setItem(KEY, hubBase(hubInput.value));
      } catch (error) {
        /* not remembered; the link below still works */
      }
      render();
    });
    render();
  }

  document.addEventListener("DOMContentLoaded", function () {
    updateLaunchButtons();
    setUpLinkMaker();
  });
})();
